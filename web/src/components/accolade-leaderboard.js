// <accolade-leaderboard>: a metric's ranking (GET /v1/leaderboards/{metric}) with a period
// switcher, each user's featured badge and the badges shown next to names; TV mode shows the
// boards full screen, one after another.
import { LitElement, html, css, nothing } from "lit";
import { apiOf, num, roman } from "../api.js";
import { tableStyles, theme } from "./theme.js";
import "./accolade-badge.js";

export const PERIODS = [
  ["day", "Today"],
  ["week", "This week"],
  ["month", "This month"],
  ["all_time", "All time"],
];
const periodName = (p) => PERIODS.find(([key]) => key === p)?.[1] ?? p;
const list = (value) => String(value || "").split(",").map((s) => s.trim()).filter(Boolean);

export class AccoladeLeaderboard extends LitElement {
  static properties = {
    apiBase: { type: String, attribute: "api-base" },
    tokenProvider: { type: String, attribute: "token-provider" },
    getToken: { attribute: false },
    metric: { type: String, reflect: true },
    /** TV mode's boards: metrics (comma-separated, default `metric`) times periods. */
    metrics: { type: String },
    periods: { type: String },
    period: { type: String, reflect: true },
    limit: { type: Number },
    tv: { type: Boolean, reflect: true },
    /** Seconds each board stays in TV mode. */
    interval: { type: Number },
    heading: { type: String },
    _board: { state: true },
    _error: { state: true },
    _index: { state: true },
  };

  static styles = [
    theme,
    tableStyles,
    css`
      :host([tv]) {
        position: fixed;
        inset: 0;
        z-index: 1000;
        overflow: auto;
        padding: 2vh 4vw;
        background: var(--accolade-tv-background, #0f172a);
        --_text: var(--accolade-tv-color-text, #f8fafc);
        --_muted: var(--accolade-tv-color-muted, #cbd5e1);
        --_bg: var(--accolade-tv-background, #0f172a);
        --_border: #334155;
        --_accent: var(--accolade-tv-color-accent, #93c5fd);
        --_on-accent: #0f172a;
        font-size: var(--accolade-tv-font-size, 2.2vw);
      }
      h2 {
        margin: 0 0 var(--_gap);
        font-size: 1.3em;
      }
      th,
      td {
        vertical-align: middle;
      }
      th {
        font-weight: 600;
      }
      td.rank,
      td.score {
        font-variant-numeric: tabular-nums;
      }
      td.score,
      th.score {
        text-align: end;
      }
      .name {
        display: flex;
        align-items: center;
        gap: 6px;
        flex-wrap: wrap;
      }
      [role="group"] {
        display: flex;
        gap: 4px;
      }
    `,
  ];

  constructor() {
    super();
    this.period = "week";
    this.limit = 10;
    this.interval = 10;
    this.tv = false;
    this._index = 0;
    this._board = null;
  }

  connectedCallback() {
    super.connectedCallback();
    this._keys = (e) => e.key === "Escape" && this.tv && this.exitTv();
    window.addEventListener("keydown", this._keys);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener("keydown", this._keys);
    clearInterval(this._timer);
  }

  /** TV mode's boards: [metric, period] for each metric and period listed. */
  get boards() {
    const metrics = list(this.metrics).length ? list(this.metrics) : [this.metric];
    const periods = list(this.periods).length ? list(this.periods) : [this.period];
    return metrics.flatMap((m) => periods.map((p) => [m, p]));
  }

  updated(changed) {
    if (changed.has("tv")) this._rotate();
    if (["metric", "period", "limit", "_index", "tv", "metrics", "periods"].some((p) => changed.has(p))) this.refresh();
  }

  _rotate() {
    clearInterval(this._timer);
    // TV mode starts on the board on show.
    this._index = Math.max(0, this.boards.findIndex(([m, p]) => m === this.metric && p === this.period));
    if (this.tv && this.boards.length > 1) {
      this._timer = setInterval(() => (this._index = (this._index + 1) % this.boards.length), this.interval * 1000);
    }
  }

  async refresh() {
    const [metric, period] = this.tv ? this.boards[this._index % this.boards.length] : [this.metric, this.period];
    if (!metric) return;
    const asked = (this._asked = (this._asked ?? 0) + 1);
    try {
      const board = await apiOf(this).leaderboard(metric, { period, limit: this.limit });
      if (asked !== this._asked) return; // a later board was asked for meanwhile
      this._board = { ...board, period };
      this._error = null;
    } catch (error) {
      this._error = error.message;
    }
  }

  async enterTv() {
    this.tv = true;
    this.dispatchEvent(new CustomEvent("accolade-tv", { detail: { tv: true }, bubbles: true, composed: true }));
    try {
      await this.requestFullscreen?.();
    } catch {
      // Full screen needs a user gesture and may be refused: the fixed layout covers the page anyway.
    }
  }

  exitTv() {
    this.tv = false;
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    this.dispatchEvent(new CustomEvent("accolade-tv", { detail: { tv: false }, bubbles: true, composed: true }));
  }

  _badge(b, size) {
    return html`<accolade-badge earned .badge=${b.badge || b.name} .level=${b.level} .size=${size}
      .src=${b.badge ? apiOf(this).badgeUrl(b.badge, b.level) : undefined}
      label=${`${b.name}${b.level > 1 ? " " + roman(b.level) : ""}`} title=${b.name}></accolade-badge>`;
  }

  render() {
    const board = this._board;
    const size = this.tv ? 48 : 24;
    const title = board
      ? `${this.heading || board.metric_id.replaceAll("_", " ")} · ${periodName(board.period)}`
      : this.heading || "Leaderboard";
    return html`
      <div class="toolbar" part="toolbar">
        ${this.tv
          ? html`<button part="button" @click=${this.exitTv}>Exit TV mode</button>
              <span class="muted">Board ${(this._index % this.boards.length) + 1} of ${this.boards.length}</span>`
          : html`<div role="group" aria-label="Period">
                ${PERIODS.map(
                  ([key, name]) => html`<button part="button" aria-pressed=${String(this.period === key)}
                    @click=${() => (this.period = key)}>${name}</button>`,
                )}
              </div>
              <button part="button" @click=${this.enterTv}>TV mode</button>`}
      </div>
      ${this._error ? html`<p role="alert" class="error">${this._error}</p>` : nothing}
      <h2 id="title" aria-live="polite">${title}</h2>
      ${board == null
        ? html`<p class="muted">Loading…</p>`
        : board.rows.length === 0
          ? html`<p class="muted">No activity in this period yet.</p>`
          : html`<table part="table" aria-labelledby="title">
              <thead><tr><th scope="col">Rank</th><th scope="col">Name</th><th scope="col" class="score">Score</th></tr></thead>
              <tbody>
                ${board.rows.map(
                  (row) => html`<tr part="row" data-user-id=${row.user_id}>
                    <td class="rank">${row.rank}</td>
                    <td><span class="name">
                      ${row.featured ? html`<span data-featured=${row.featured.achievement_id}>${this._badge(row.featured, size)}</span>` : nothing}
                      <span>${row.display_name || row.user_id}</span>
                      ${row.badges.map((b) => html`<span data-badge=${b.achievement_id}>${this._badge(b, size * 0.8)}</span>`)}
                    </span></td>
                    <td class="score">${num(row.score)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
    `;
  }
}

customElements.define("accolade-leaderboard", AccoladeLeaderboard);
