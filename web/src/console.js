// The console at /console/: sign-in, the user's pages (the embeddable components) and the admin
// pages. Pages are chosen by a tiny hash router written here: a hash route needs no rewrite rule
// on S3 / CloudFront or the local gateway, and a routing library would be larger than it.
import { LitElement, html, css, nothing } from "lit";
import { AccoladeApi } from "./api.js";
import { theme } from "./components/theme.js";
import * as auth from "./console/auth.js";
import "./embed.js";
import "./console/page-my-awards.js";
import "./console/page-goals.js";
import "./console/page-leaderboards.js";
import "./console/page-achievements.js";
import "./console/page-builder.js";
import "./console/page-holders.js";
import "./console/page-users.js";
import "./console/page-completion.js";
import "./console/page-exports.js";
import "./console/page-simulate.js";
import "./console/page-settings.js";
import "./console/page-metrics.js";
import "./console/page-audit.js";

const USER_PAGES = [
  ["/", "My achievements"],
  ["/awards", "My awards"],
  ["/goals", "My goals"],
  ["/leaderboards", "Leaderboards"],
  ["/inbox", "Inbox"],
];
const ADMIN_PAGES = [
  ["/admin/achievements", "Achievements"],
  ["/admin/users", "Users"],
  ["/admin/metrics", "Metrics"],
  ["/admin/completion", "Completion"],
  ["/admin/exports", "Exports"],
  ["/admin/simulate", "Dry run & explain"],
  ["/admin/settings", "Settings"],
  ["/admin/audit", "Audit log"],
];

/** [pattern, page] in order: `:name` segments become params. */
const builder = () => html`<page-builder></page-builder>`; // one element from "new" to its id
const ROUTES = [
  ["/", () => html`<h1>My achievements</h1><accolade-achievements></accolade-achievements>`],
  ["/awards", (p) => html`<page-my-awards></page-my-awards>`],
  ["/goals", () => html`<page-goals></page-goals>`],
  ["/leaderboards", () => html`<page-leaderboards></page-leaderboards>`],
  ["/inbox", () => html`<h1>Inbox</h1><accolade-inbox></accolade-inbox>`],
  ["/admin/achievements", () => html`<page-achievements></page-achievements>`],
  ["/admin/achievements/new", builder],
  ["/admin/achievements/:id/holders", () => html`<page-holders></page-holders>`],
  ["/admin/achievements/:id", builder],
  ["/admin/users", () => html`<page-users></page-users>`],
  ["/admin/users/:id", () => html`<page-users></page-users>`],
  ["/admin/metrics", () => html`<page-metrics></page-metrics>`],
  ["/admin/completion", () => html`<page-completion></page-completion>`],
  ["/admin/exports", () => html`<page-exports></page-exports>`],
  ["/admin/simulate", () => html`<page-simulate></page-simulate>`],
  ["/admin/settings", () => html`<page-settings></page-settings>`],
  ["/admin/audit", () => html`<page-audit></page-audit>`],
];

export function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, page] of ROUTES) {
    const want = pattern.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(":") ? (params[w.slice(1)] = decodeURIComponent(parts[i])) : w === parts[i]))) {
      return { pattern, page, params };
    }
  }
  return null;
}

class AccoladeConsole extends LitElement {
  static properties = {
    _path: { state: true },
    _token: { state: true },
    _ready: { state: true },
    _menu: { state: true },
  };

  static styles = [
    theme,
    css`
      :host {
        min-height: 100vh;
        display: grid;
        grid-template-columns: 220px 1fr;
        grid-template-rows: auto 1fr;
        background: var(--_bg);
      }
      header {
        grid-column: 1 / -1;
        display: flex;
        align-items: center;
        gap: var(--_gap);
        padding: 8px 16px;
        background: var(--accolade-header-background, #1e3a8a);
        color: #fff;
      }
      header .brand {
        font-weight: 700;
        font-size: 1.2em;
        margin-inline-end: auto;
      }
      header button {
        border-color: #fff;
        color: #fff;
        background: transparent;
      }
      nav {
        padding: 16px;
        border-inline-end: 1px solid var(--_border);
        background: var(--_surface);
      }
      nav h2 {
        font-size: 0.85em;
        text-transform: uppercase;
        color: var(--_muted);
        margin: 16px 0 4px;
      }
      nav ul {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      nav a {
        display: block;
        padding: 4px 8px;
        border-radius: var(--_radius);
        color: var(--_text);
        text-decoration: none;
      }
      nav a[aria-current="page"] {
        background: var(--_accent);
        color: var(--_on-accent);
      }
      main {
        padding: 16px 24px;
        min-width: 0;
      }
      h1 {
        font-size: 1.5em;
        margin: 0 0 12px;
      }
      .signin {
        grid-column: 1 / -1;
        max-width: 560px;
        margin: 10vh auto;
        padding: 24px;
      }
    `,
  ];

  constructor() {
    super();
    this._path = this._hashPath();
    window.addEventListener("hashchange", () => (this._path = this._hashPath()));
    this._start();
  }

  _hashPath() {
    return location.hash.replace(/^#/, "").split("?")[0] || "/";
  }

  async _start() {
    await auth.loadConfig();
    try {
      await auth.completeSignIn();
    } catch (error) {
      console.error("sign-in failed", error);
    }
    this._path = this._hashPath();
    this._token = await auth.getToken();
    this.api = new AccoladeApi({ base: auth.apiBase(), getToken: auth.getToken });
    this._ready = true;
  }

  get claims() {
    return this._token ? auth.claimsOf(this._token) : null;
  }

  get isAdmin() {
    return auth.rolesOf(this.claims).has("admin");
  }

  async _signOut() {
    await auth.signOut();
    this._token = null;
    location.hash = "#/";
  }

  _signIn() {
    return html`<main class="signin">
      <h1>Sign in to Accolade</h1>
      ${auth.isCognito()
        ? html`<button class="primary" @click=${() => auth.signIn()}>Sign in</button>`
        : html`<p>Open one of the sign-in links <code>make run</code> printed (demo admin or demo user), or
            add <code>#token=&lt;a token from accolade local token&gt;</code> to this page's address.</p>`}
    </main>`;
  }

  _nav(pages, heading) {
    return html`<h2>${heading}</h2>
      <ul>
        ${pages.map(
          ([path, name]) => html`<li><a href=${"#" + path}
            aria-current=${this._path === path || (path !== "/" && this._path.startsWith(path + "/")) ? "page" : nothing}>${name}</a></li>`,
        )}
      </ul>`;
  }

  _page() {
    const found = match(this._path);
    if (!found) return html`<h1>Not found</h1><p>No page at ${this._path}.</p>`;
    if (found.pattern.startsWith("/admin") && !this.isAdmin) {
      return html`<h1>Admins only</h1>
        <p role="alert" data-forbidden>This page is for admins: you are signed in as ${this.claims?.sub}, who is not one.</p>`;
    }
    return found.page(found.params);
  }

  updated() {
    // Every page and component gets the API client, the caller and the route's parameters.
    const found = match(this._path);
    for (const el of this.renderRoot.querySelectorAll("main > *")) {
      if (el.tagName.includes("-")) {
        el.api = this.api;
        el.getToken = auth.getToken;
        el.apiBase = auth.apiBase();
        el.claims = this.claims;
        el.params = found?.params ?? {};
      }
    }
  }

  render() {
    if (!this._ready) return html`<main class="signin"><p>Loading…</p></main>`;
    if (!this._token) return this._signIn();
    const claims = this.claims ?? {};
    return html`
      <header>
        <span class="brand">Accolade</span>
        <span>${claims.sub} · ${claims.tenant_id ?? claims["custom:tenant_id"]}${this.isAdmin ? " · admin" : ""}</span>
        <button @click=${this._signOut}>Sign out</button>
      </header>
      <nav aria-label="Pages">
        ${this._nav(USER_PAGES, "Me")} ${this.isAdmin ? this._nav(ADMIN_PAGES, "Admin") : nothing}
      </nav>
      <main>${this._page()}</main>
    `;
  }
}

customElements.define("accolade-console", AccoladeConsole);
