// A user, for admins: profile (display name, organisation, groups), their awards as a learner's
// record (issued by, identifier, certificate, expiry editing, refresh of documents, revoke),
// Sync, and the achievements page as they see it.
import { html, nothing } from "lit";
import { num, roman } from "../api.js";
import { ConsolePage, fromLocalInput, toLocalInput, when } from "./shared.js";

const words = (text) => String(text || "").split(",").map((s) => s.trim()).filter(Boolean);

class PageUsers extends ConsolePage {
  static properties = {
    ...ConsolePage.properties,
    _awards: { state: true },
    _seen: { state: true },
    _editing: { state: true },
    _found: { state: true },
  };

  constructor() {
    super();
    this.lookup = { user_id: "" };
    this.profile = { display_name: "", org_id: "", groups: "" };
    this.expiry = { valid_until: "" };
    this.revoke = { reason: "" };
  }

  updated(changed) {
    super.updated?.(changed);
    if (changed.has("params") && this.params?.id && this.params.id !== this._loadedId) this.load();
  }

  async load() {
    const id = (this._loadedId = this.params.id);
    this.lookup.user_id = id;
    this._awards = this._seen = null;
    const user = await this.api.user(id).catch(() => null);
    this._found = Boolean(user);
    this.profile = user
      ? { display_name: user.display_name, org_id: user.org_id ?? "", groups: user.groups.join(", ") }
      : { display_name: "", org_id: "", groups: "" };
    this._awards = await this.run(() => this.api.userAwards(id));
    this._seen = await this.api.userAchievements(id).catch(() => null);
  }

  _open(e) {
    e.preventDefault();
    location.hash = `#/admin/users/${encodeURIComponent(this.lookup.user_id)}`;
  }

  async _saveProfile(e) {
    e.preventDefault();
    const p = this.profile;
    const body = { display_name: p.display_name, org_id: p.org_id || null, groups: words(p.groups) };
    if (await this.run(() => this.api.putUser(this.params.id, body), "Profile saved.")) this._found = true;
  }

  async _sync() {
    const out = await this.run(() => this.api.syncUser(this.params.id), (r) => `Sync granted ${r.granted.length} award(s).`);
    if (out) await this.load();
  }

  async _saveExpiry(e, award) {
    e.preventDefault();
    const until = fromLocalInput(this.expiry.valid_until);
    if (await this.run(() => this.api.setExpiry(award.award_id, until), "Expiry saved.")) {
      this._editing = null;
      this._awards = await this.api.userAwards(this.params.id);
    }
  }

  async _refresh(award) {
    await this.run(() => this.api.refreshDocuments(award.award_id), "The certificate is being rendered again.");
  }

  async _revoke(e, award) {
    e.preventDefault();
    if (await this.run(() => this.api.revoke(award.award_id, this.revoke.reason), "Award revoked.")) {
      this._editing = null;
      this._awards = await this.api.userAwards(this.params.id);
    }
  }

  _edit(award, mode) {
    this.expiry.valid_until = toLocalInput(award.valid_until);
    this.revoke.reason = "";
    this._editing = { id: award.award_id, mode };
  }

  _award(a) {
    const editing = this._editing?.id === a.award_id ? this._editing.mode : null;
    return html`<tr data-award-id=${a.award_id} data-status=${a.status}>
      <td>${a.achievement_name ?? a.achievement_id} ${roman(a.level)}${a.identifier ? html`<br /><span class="muted">${a.identifier}</span>` : nothing}</td>
      <td>${a.status}</td>
      <td>${a.issued_by ?? a.given_by ?? "rule"}${a.supersedes ? html`<br /><span class="muted">renews an earlier award</span>` : nothing}</td>
      <td>${when(a.awarded_at)}</td>
      <td>${a.valid_until ? when(a.valid_until) : "No expiry"}</td>
      <td>${a.certificate_url ? html`<a href=${a.certificate_url} target="_blank" rel="noopener">Certificate</a>` : html`<span class="muted">—</span>`}</td>
      <td>
        ${editing === "expiry"
          ? html`<form @submit=${(e) => this._saveExpiry(e, a)} aria-label="Expiry">
              ${this.input(this.expiry, "valid_until", "Valid until (UTC; empty: never)", { type: "datetime-local" })}
              <div class="row"><button class="primary" type="submit">Save</button><button type="button" @click=${() => (this._editing = null)}>Cancel</button></div>
            </form>`
          : editing === "revoke"
            ? html`<form @submit=${(e) => this._revoke(e, a)} aria-label="Revoke">
                ${this.input(this.revoke, "reason", "Reason")}
                <div class="row"><button class="primary" type="submit">Confirm revoke</button><button type="button" @click=${() => (this._editing = null)}>Cancel</button></div>
              </form>`
            : a.status === "revoked"
              ? html`<span class="muted">${a.revoke_reason ?? ""}</span>`
              : html`<div class="row">
                  <button @click=${() => this._edit(a, "expiry")}>Edit expiry</button>
                  ${a.certificate_url || a.certificate_status ? html`<button @click=${() => this._refresh(a)}>Refresh documents</button>` : nothing}
                  <button @click=${() => this._edit(a, "revoke")}>Revoke</button>
                </div>`}
      </td>
    </tr>`;
  }

  render() {
    const id = this.params?.id;
    return html`<h1>Users</h1>
      <form class="row" @submit=${this._open} aria-label="Find a user">
        ${this.input(this.lookup, "user_id", "User id")}
        <button type="submit">Open</button>
      </form>
      ${this.alerts()}
      ${id
        ? html`<h2>Profile of ${id}${this._found === false ? " (new)" : ""}</h2>
            <form @submit=${this._saveProfile} aria-label="Profile">
              <div class="row">
                ${this.input(this.profile, "display_name", "Display name")}
                ${this.input(this.profile, "org_id", "Organisation")}
                ${this.input(this.profile, "groups", "Groups (comma-separated)")}
              </div>
              <div class="row"><button class="primary" type="submit">Save profile</button>
                <button type="button" @click=${this._sync}>Sync progress</button></div>
            </form>
            <h2>Awards</h2>
            ${this._awards == null
              ? html`<p class="muted">Loading…</p>`
              : this._awards.length === 0
                ? html`<p class="muted">No awards.</p>`
                : html`<table>
                    <thead><tr><th scope="col">Achievement</th><th scope="col">Status</th><th scope="col">Issued by</th><th scope="col">Awarded</th>
                      <th scope="col">Valid until</th><th scope="col">Documents</th><th scope="col">Actions</th></tr></thead>
                    <tbody>${this._awards.map((a) => this._award(a))}</tbody>
                  </table>`}
            ${this._seen
              ? html`<h2>What ${id} sees</h2>
                  <table>
                    <thead><tr><th scope="col">Achievement</th><th scope="col">Earned</th><th scope="col">Progress</th><th scope="col">Points</th>
                      <th scope="col"></th></tr></thead>
                    <tbody>${this._seen.map(
                      (s) => html`<tr><td>${s.name}</td><td>${s.earned ? `Yes (${roman(s.highest_level)})` : "No"}</td>
                        <td>${s.progress ? `${num(s.progress.value)}${s.progress.next_threshold ? " / " + num(s.progress.next_threshold) : ""}` : "—"}</td>
                        <td>${num(s.points_earned)}</td>
                        <td><a href=${`#/admin/simulate?user=${encodeURIComponent(id)}&achievement=${encodeURIComponent(s.id)}`}>Explain</a></td></tr>`,
                    )}</tbody>
                  </table>`
              : nothing}`
        : html`<p class="muted">Open a user by id.</p>`}`;
  }
}
customElements.define("page-users", PageUsers);
