// <accolade-achievements>: the user's achievements page (GET /v1/me/achievements): every visible
// achievement as a badge card, earned in colour and the rest in grey, levels I/II/III, progress
// to the next level, points; sort, filter, Sync Progress, and the featured badge.
import { LitElement, html, css, nothing } from "lit";
import { styleMap } from "lit/directives/style-map.js";
import { apiOf, num, periodWords, roman, ApiError } from "../api.js";
import { theme } from "./theme.js";
import "./accolade-badge.js";

const words = (metric) => String(metric || "").replaceAll(/[_.-]+/g, " ");

/** "4 more sales this week", or null when there is no next level. */
export function progressText(item) {
  const p = item.progress;
  if (!p || p.next_level == null || p.remaining == null) return null;
  const unit = words(item.metric) || "to go";
  return [`${num(p.remaining)} more`, unit, periodWords(item.time_range)].filter(Boolean).join(" ");
}

export class AccoladeAchievements extends LitElement {
  static properties = {
    apiBase: { type: String, attribute: "api-base" },
    tokenProvider: { type: String, attribute: "token-provider" },
    getToken: { attribute: false },
    status: { type: String, reflect: true },
    sort: { type: String, reflect: true },
    order: { type: String, reflect: true },
    _items: { state: true },
    _awards: { state: true },
    _points: { state: true },
    _featured: { state: true },
    _busy: { state: true },
    _notice: { state: true },
    _error: { state: true },
  };

  static styles = [
    theme,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(var(--accolade-card-width, 240px), 1fr));
        gap: var(--_gap);
        list-style: none;
        padding: 0;
        margin: 0;
      }
      .card {
        display: flex;
        flex-direction: column;
        gap: 8px;
        padding: var(--_gap);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--accolade-card-background, var(--_bg));
      }
      .card[data-earned="false"] {
        background: var(--accolade-card-unearned-background, var(--_surface));
      }
      .head {
        display: flex;
        gap: var(--_gap);
        align-items: center;
      }
      h3 {
        margin: 0;
        font-size: 1.05em;
      }
      p {
        margin: 0;
      }
      .levels {
        display: flex;
        gap: 4px;
        list-style: none;
        padding: 0;
        margin: 0;
      }
      .levels li {
        border: 1px solid var(--_border);
        border-radius: 999px;
        padding: 0 8px;
        font-size: 0.8em;
        color: var(--_muted);
      }
      .levels li.got {
        background: var(--_progress);
        border-color: var(--_progress);
        color: #fff;
      }
      .bar {
        height: 8px;
        background: var(--_border);
        border-radius: 999px;
        overflow: hidden;
      }
      .bar > div {
        height: 100%;
        background: var(--_progress);
        transition: width 0.4s;
      }
      .points {
        font-weight: 600;
      }
      .featured {
        color: var(--_accent);
        font-weight: 600;
      }
      .total {
        font-size: 1.1em;
        font-weight: 600;
        margin-inline-start: auto;
      }
    `,
  ];

  constructor() {
    super();
    this.status = "";
    this.sort = "name";
    this.order = "asc";
    this._items = null;
    this._awards = [];
    this._featured = null;
  }

  // Loads once the host (or the console) has set its token provider: after the first render.
  firstUpdated() {
    this.refresh();
  }

  updated(changed) {
    if (["status", "sort", "order"].some((p) => changed.has(p) && changed.get(p) !== undefined)) this.refresh();
  }

  /** Load the achievements (as filtered and sorted), the awards and the wallet again. */
  async refresh() {
    try {
      const api = apiOf(this);
      const [items, awards, wallet] = await Promise.all([
        api.myAchievements({ status: this.status, sort: this.sort, order: this.order }),
        api.myAwards(),
        api.wallet(),
      ]);
      this._items = items;
      this._awards = awards;
      this._points = wallet.points;
      this._error = null;
      this.dispatchEvent(new CustomEvent("accolade-loaded", { detail: { items }, bubbles: true, composed: true }));
    } catch (error) {
      this._error = error.message;
    }
  }

  async _sync() {
    this._busy = true;
    this._notice = "Syncing progress…";
    try {
      const result = await apiOf(this).sync();
      const granted = result?.granted?.length ?? 0;
      this._notice = granted ? `Sync granted ${granted} new award${granted > 1 ? "s" : ""}.` : "Progress is up to date.";
    } catch (error) {
      // Before the sync route exists (404), Sync Progress still reloads what the API knows.
      this._notice = error instanceof ApiError && error.status === 404 ? "Progress reloaded." : null;
      if (!(error instanceof ApiError && error.status === 404)) this._error = error.message;
    }
    await this.refresh();
    this._busy = false;
    this.dispatchEvent(new CustomEvent("accolade-synced", { bubbles: true, composed: true }));
  }

  /** The active award of an achievement to feature: its highest level, latest first. */
  _awardOf(item) {
    return this._awards
      .filter((a) => a.achievement_id === item.id && a.status === "active")
      .sort((a, b) => b.level - a.level || String(b.awarded_at).localeCompare(String(a.awarded_at)))[0];
  }

  async _feature(award, item) {
    try {
      const out = await apiOf(this).feature(award.award_id);
      this._featured = out.award_id;
      this._notice = `${item.name} is your featured badge.`;
      this.dispatchEvent(
        new CustomEvent("accolade-featured", { detail: { award_id: out.award_id }, bubbles: true, composed: true }),
      );
    } catch (error) {
      this._error = error.message;
    }
  }

  _card(item) {
    const earned = item.earned;
    const levels = item.levels ?? [];
    const leveled = levels.length > 1;
    const progress = item.progress;
    const next = progress?.next_threshold;
    const share = next ? Math.min(100, Math.round((100 * (progress.value ?? 0)) / next)) : earned ? 100 : 0;
    const text = progressText(item);
    const award = earned ? this._awardOf(item) : null;
    const featured = award && award.award_id === this._featured;
    const level = Math.max(item.highest_level || 0, 1);
    const id = `a-${item.id}`;
    return html`<li class="card" part="card" data-achievement-id=${item.id} data-earned=${String(earned)}
      aria-labelledby=${id}>
      <div class="head">
        <accolade-badge .badge=${item.badge || item.name} .level=${leveled ? level : 0} ?earned=${earned}
          .src=${item.badge ? apiOf(this).badgeUrl(item.badge, level) : undefined}
          label=${`${item.name} badge${leveled ? " level " + roman(level) : ""}, ${earned ? "earned" : "not earned"}`}>
        </accolade-badge>
        <div>
          <h3 id=${id}>${item.name}</h3>
          <span class="muted" data-status>${earned ? "Completed" : "Not completed"}${
            item.times_earned > 1 ? ` · earned ${item.times_earned} times` : ""
          }</span>
        </div>
      </div>
      ${item.description ? html`<p>${item.description}</p>` : nothing}
      ${leveled
        ? html`<ul class="levels" aria-label="Levels">
            ${levels.map(
              (l) => html`<li class=${l.level <= item.highest_level ? "got" : ""}>
                ${roman(l.level)}<span class="visually-hidden">${l.level <= item.highest_level ? " earned" : " not earned"}</span>
              </li>`,
            )}
          </ul>`
        : nothing}
      ${text
        ? html`<div class="bar" part="progress" role="progressbar" aria-label=${`Progress to ${leveled ? "level " + roman(progress.next_level) : item.name}`}
              aria-valuemin="0" aria-valuemax=${next} aria-valuenow=${progress.value} data-share=${share}>
              <div style=${styleMap({ width: `${share}%` })}></div>
            </div>
            <p class="muted" data-progress-text>${text}</p>`
        : nothing}
      <p class="points" data-points>${num(item.points_earned)} / ${num(item.points)} points</p>
      ${award
        ? featured
          ? html`<p class="featured" data-featured>★ Featured badge</p>`
          : html`<button part="button" @click=${() => this._feature(award, item)}
              aria-label=${`Feature this badge: ${item.name}`}>Feature this badge</button>`
        : nothing}
    </li>`;
  }

  render() {
    return html`
      <div class="toolbar" part="toolbar">
        <label>Status
          <select @change=${(e) => (this.status = e.target.value)} .value=${this.status}>
            <option value="">All</option>
            <option value="completed">Completed</option>
            <option value="not_completed">Not completed</option>
          </select>
        </label>
        <label>Sort by
          <select @change=${(e) => (this.sort = e.target.value)} .value=${this.sort}>
            <option value="name">Name</option>
            <option value="points">Points</option>
          </select>
        </label>
        <label>Order
          <select @change=${(e) => (this.order = e.target.value)} .value=${this.order}>
            <option value="asc">Ascending</option>
            <option value="desc">Descending</option>
          </select>
        </label>
        <button part="button" class="primary" ?disabled=${this._busy} @click=${this._sync}>Sync Progress</button>
        ${this._points != null ? html`<span class="total" data-total-points>${num(this._points)} points</span>` : nothing}
      </div>
      <p role="status" class="muted">${this._notice ?? ""}</p>
      ${this._error ? html`<p role="alert" class="error">${this._error}</p>` : nothing}
      ${this._items == null
        ? html`<p class="muted">Loading achievements…</p>`
        : this._items.length
          ? html`<ul class="grid" aria-label="Achievements">${this._items.map((i) => this._card(i))}</ul>`
          : html`<p class="muted">No achievements to show.</p>`}
    `;
  }
}

customElements.define("accolade-achievements", AccoladeAchievements);
