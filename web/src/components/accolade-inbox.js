// <accolade-inbox>: the user's messages (GET /v1/me/messages), newest first, filtered by type and
// by unread, each marked read with one click.
import { LitElement, html, css, nothing } from "lit";
import { apiOf } from "../api.js";
import { theme } from "./theme.js";

export const MESSAGE_TYPES = [
  ["", "All"],
  ["achievement", "Achievement"],
  ["award_revoked", "Award revoked"],
  ["expiring_soon", "Expiring soon"],
];
const isRead = (m) => m.unread === false || m.read === true || Boolean(m.read_at);

export class AccoladeInbox extends LitElement {
  static properties = {
    apiBase: { type: String, attribute: "api-base" },
    tokenProvider: { type: String, attribute: "token-provider" },
    getToken: { attribute: false },
    type: { type: String, reflect: true },
    unread: { type: Boolean, reflect: true },
    limit: { type: Number },
    _items: { state: true },
    _next: { state: true },
    _error: { state: true },
  };

  static styles = [
    theme,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      li {
        display: flex;
        gap: var(--_gap);
        align-items: start;
        padding: var(--_gap);
        border-block-end: 1px solid var(--_border);
      }
      li[data-read="false"] {
        background: var(--accolade-unread-background, #eff6ff);
      }
      .body {
        flex: 1;
      }
      h3 {
        margin: 0;
        font-size: 1em;
      }
      p {
        margin: 4px 0 0;
      }
      a {
        color: var(--_accent);
      }
      .toolbar label.check {
        flex-direction: row;
        align-items: center;
        gap: 6px;
      }
    `,
  ];

  constructor() {
    super();
    this.type = "";
    this.unread = false;
    this.limit = 20;
    this._items = null;
  }

  // Loads once the host (or the console) has set its token provider: after the first render.
  firstUpdated() {
    this.refresh();
  }

  updated(changed) {
    if (["type", "unread"].some((p) => changed.has(p) && changed.get(p) !== undefined)) this.refresh();
  }

  _params(cursor) {
    return { type: this.type, unread: this.unread ? "true" : "", limit: this.limit, cursor };
  }

  /** What the filters keep (the API filters too; an API without the filters is filtered here). */
  _keep(items) {
    return items.filter((m) => (!this.type || m.type === this.type) && !(this.unread && isRead(m)));
  }

  async refresh() {
    try {
      const page = await apiOf(this).messages(this._params());
      this._items = this._keep(page.items);
      this._next = page.next_cursor;
      this._error = null;
    } catch (error) {
      this._error = error.message;
    }
  }

  async _more() {
    try {
      const page = await apiOf(this).messages(this._params(this._next));
      this._items = [...this._items, ...this._keep(page.items)];
      this._next = page.next_cursor;
    } catch (error) {
      this._error = error.message;
    }
  }

  async _read(message) {
    try {
      const out = await apiOf(this).markRead(message.message_id);
      const read = { ...message, ...(out && typeof out === "object" ? out : {}), unread: false };
      this._items = this.unread
        ? this._items.filter((m) => m.message_id !== message.message_id)
        : this._items.map((m) => (m.message_id === message.message_id ? read : m));
      this.dispatchEvent(new CustomEvent("accolade-read", { detail: read, bubbles: true, composed: true }));
    } catch (error) {
      this._error = error.message;
    }
  }

  async _certificate(message) {
    try {
      const link = await apiOf(this).certificateLink(message.award_id);
      window.open(link.url, "_blank", "noopener");
    } catch (error) {
      this._error = error.message;
    }
  }

  render() {
    return html`
      <div class="toolbar" part="toolbar">
        <label>Message type
          <select .value=${this.type} @change=${(e) => (this.type = e.target.value)}>
            ${MESSAGE_TYPES.map(([key, name]) => html`<option value=${key}>${name}</option>`)}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" .checked=${this.unread} @change=${(e) => (this.unread = e.target.checked)} />
          Unread only
        </label>
      </div>
      ${this._error ? html`<p role="alert" class="error">${this._error}</p>` : nothing}
      ${this._items == null
        ? html`<p class="muted">Loading messages…</p>`
        : this._items.length === 0
          ? html`<p class="muted">No messages.</p>`
          : html`<ul aria-label="Messages">
              ${this._items.map(
                (m) => html`<li part="message" data-message-id=${m.message_id} data-type=${m.type} data-read=${String(isRead(m))}>
                  <div class="body">
                    <h3>${isRead(m) ? nothing : html`<span class="visually-hidden">Unread: </span>`}${m.title}</h3>
                    <p>${m.body}</p>
                    <p class="muted"><time datetime=${m.created_at}>${new Date(m.created_at).toLocaleString()}</time></p>
                    ${m.certificate_url && m.award_id
                      ? html`<p><button part="button" @click=${() => this._certificate(m)}>Open certificate</button></p>`
                      : nothing}
                  </div>
                  ${isRead(m)
                    ? html`<span class="muted">Read</span>`
                    : html`<button part="button" @click=${() => this._read(m)} aria-label=${`Mark read: ${m.title}`}>Mark read</button>`}
                </li>`,
              )}
            </ul>
            ${this._next ? html`<button part="button" @click=${this._more}>Load more</button>` : nothing}`}
    `;
  }
}

customElements.define("accolade-inbox", AccoladeInbox);
