// Holders of an achievement (GET /v1/admin/achievements/{id}/awards): give the award by hand
// (a record already held or a membership already had is refused, 409) and revoke one.
import { html, nothing } from "lit";
import { roman } from "../api.js";
import { ConsolePage, fromLocalInput, when } from "./shared.js";

const STATUSES = [["", "All"], ["active", "Active"], ["expired", "Expired"], ["revoked", "Revoked"]];

class PageHolders extends ConsolePage {
  static properties = {
    ...ConsolePage.properties,
    _achievement: { state: true },
    _items: { state: true },
    _next: { state: true },
    _revoking: { state: true },
  };

  constructor() {
    super();
    this.filter = { status: "" };
    this.give = { user_id: "", level: 1, valid_from: "", valid_until: "", note: "" };
    this.revoke = { reason: "" };
  }

  get id() {
    return this.params.id;
  }

  async firstUpdated() {
    this._achievement = await this.run(() => this.api.achievement(this.id));
    await this.load();
  }

  async load(cursor) {
    const page = await this.api.holders(this.id, { status: this.filter.status, limit: 50, cursor }).catch((e) => {
      this._error = e.message;
    });
    if (!page) return;
    this._items = cursor ? [...this._items, ...page.items] : page.items;
    this._next = page.next_cursor;
  }

  async _give(e) {
    e.preventDefault();
    const g = this.give;
    const body = { user_id: g.user_id, level: Number(g.level) || 1 };
    if (g.valid_from) body.valid_from = fromLocalInput(g.valid_from);
    if (g.valid_until) body.valid_until = fromLocalInput(g.valid_until);
    if (g.note) body.note = g.note;
    const award = await this.run(() => this.api.give(this.id, body), (a) => `Gave ${this._achievement?.name} to ${a.user_id}.`);
    if (award) await this.load();
  }

  async _revoke(e) {
    e.preventDefault();
    const award = this._revoking;
    const done = await this.run(() => this.api.revoke(award.award_id, this.revoke.reason), `Revoked the award of ${award.user_id}.`);
    if (done) {
      this._revoking = null;
      this.revoke.reason = "";
      await this.load();
    }
  }

  render() {
    const a = this._achievement;
    const levels = a?.levels?.length ?? 1;
    return html`<h1>Holders of ${a?.name ?? this.id}</h1>
      <p><a href=${`#/admin/achievements/${encodeURIComponent(this.id)}`}>Edit the achievement</a></p>
      ${this.alerts()}
      <h2>Give award</h2>
      <form @submit=${this._give} aria-label="Give award">
        <div class="row">
          ${this.input(this.give, "user_id", "User id")}
          ${levels > 1 ? this.select(this.give, "level", "Level", [...Array(levels)].map((_, i) => [String(i + 1), roman(i + 1)])) : nothing}
          ${this.input(this.give, "valid_from", "Valid from (UTC)", { type: "datetime-local" })}
          ${this.input(this.give, "valid_until", "Valid until (UTC)", { type: "datetime-local" })}
        </div>
        ${this.input(this.give, "note", "Note")}
        <div><button class="primary" type="submit">Give award</button></div>
      </form>
      ${this._revoking
        ? html`<h2>Revoke the award of ${this._revoking.user_id}</h2>
            <form @submit=${this._revoke} aria-label="Revoke award">
              ${this.input(this.revoke, "reason", "Reason")}
              <div class="row"><button class="primary" type="submit">Confirm revoke</button>
                <button type="button" @click=${() => (this._revoking = null)}>Cancel</button></div>
            </form>`
        : nothing}
      <h2>Holders</h2>
      <div class="row">${this.select(this.filter, "status", "Status", STATUSES, { onChange: () => this.load() })}</div>
      ${this._items == null
        ? html`<p class="muted">Loading…</p>`
        : this._items.length === 0
          ? html`<p class="muted">Nobody holds it.</p>`
          : html`<table>
              <thead><tr><th scope="col">User</th><th scope="col">Level</th><th scope="col">Period</th><th scope="col">Status</th>
                <th scope="col">Awarded</th><th scope="col">Valid until</th><th scope="col">Given by</th><th scope="col"></th></tr></thead>
              <tbody>
                ${this._items.map(
                  (h) => html`<tr data-award-id=${h.award_id} data-user-id=${h.user_id} data-status=${h.status}>
                    <td><a href=${`#/admin/users/${encodeURIComponent(h.user_id)}`}>${h.user_id}</a></td>
                    <td>${roman(h.level)}</td><td>${h.period_key}</td>
                    <td>${h.status}${h.revoke_reason ? html`<br /><span class="muted">${h.revoke_reason}</span>` : nothing}</td>
                    <td>${when(h.awarded_at)}</td><td>${h.valid_until ? when(h.valid_until) : "No expiry"}</td>
                    <td>${h.given_by ?? "rule"}</td>
                    <td>${h.status !== "revoked"
                      ? html`<button @click=${() => (this._revoking = h)} aria-label=${`Revoke the award of ${h.user_id}`}>Revoke</button>`
                      : nothing}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
            ${this._next ? html`<button @click=${() => this.load(this._next)}>Load more</button>` : nothing}`}`;
  }
}
customElements.define("page-holders", PageHolders);
