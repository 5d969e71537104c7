// Dry run (POST /v1/admin/achievements/simulate: what an achievement would grant, writing
// nothing) and explain (GET .../users/{user}/achievements/{id}/explain: why a user has an award
// or not).
import { html, nothing } from "lit";
import { num, roman } from "../api.js";
import { ConsolePage, when } from "./shared.js";

const words = (text) => String(text || "").split(",").map((s) => s.trim()).filter(Boolean);

class PageSimulate extends ConsolePage {
  static properties = { ...ConsolePage.properties, _achievements: { state: true }, _grants: { state: true }, _why: { state: true } };

  constructor() {
    super();
    const q = new URLSearchParams(location.hash.split("?")[1] ?? "");
    this.dry = { achievement_id: q.get("achievement") ?? "", user_ids: q.get("user") ?? "", events: "" };
    this.why = { user_id: q.get("user") ?? "", achievement_id: q.get("achievement") ?? "" };
  }

  async firstUpdated() {
    this._achievements = (await this.api.achievements().catch(() => [])) ?? [];
    if (!this.dry.achievement_id && this._achievements.length) this.dry.achievement_id = this.why.achievement_id = this._achievements[0].id;
    this.requestUpdate();
    if (this.why.user_id && this.why.achievement_id) this._explain();
  }

  async _simulate(e) {
    e?.preventDefault();
    const body = { achievement_id: this.dry.achievement_id };
    if (this.dry.events.trim()) {
      try {
        body.events = JSON.parse(this.dry.events);
      } catch (error) {
        this._errors = { events: `not JSON: ${error.message}` };
        return;
      }
    } else body.user_ids = words(this.dry.user_ids);
    const out = await this.run(() => this.api.simulate(body));
    if (out) this._grants = out.would_grant;
  }

  async _explain(e) {
    e?.preventDefault();
    this._why = await this.run(() => this.api.explain(this.why.user_id, this.why.achievement_id));
  }

  render() {
    const choices = (this._achievements ?? []).map((a) => [a.id, a.name]);
    const w = this._why;
    return html`<h1>Dry run and explain</h1>
      ${this.alerts()}
      <h2>Dry run</h2>
      <form @submit=${this._simulate} aria-label="Dry run">
        ${this.select(this.dry, "achievement_id", "Achievement", choices)}
        ${this.input(this.dry, "user_ids", "Users (comma-separated)")}
        <div class="field"><label for="f-events">Or events (JSON array, as POST /v1/events takes them)</label>
          <textarea id="f-events" name="events" rows="4" .value=${this.dry.events}
            @input=${(e) => (this.dry.events = e.target.value)} aria-invalid=${String(Boolean(this.errorFor("events")))}></textarea>
          ${this.fieldError("events")}</div>
        <div><button class="primary" type="submit">Run (writes nothing)</button></div>
      </form>
      ${this._grants
        ? this._grants.length
          ? html`<table data-would-grant>
              <thead><tr><th scope="col">User</th><th scope="col">Level</th><th scope="col">Period</th><th scope="col">Points</th><th scope="col">Coins</th></tr></thead>
              <tbody>${this._grants.map((g) => html`<tr><td>${g.user_id}</td><td>${roman(g.level)}</td><td>${g.period_key}</td><td>${num(g.points)}</td><td>${num(g.coins)}</td></tr>`)}</tbody>
            </table>`
          : html`<p data-would-grant>It would grant nothing.</p>`
        : nothing}
      <h2>Explain</h2>
      <form class="row" @submit=${this._explain} aria-label="Explain">
        ${this.input(this.why, "user_id", "User id")}
        ${this.select(this.why, "achievement_id", "Achievement", choices, { field: "explain_achievement_id" })}
        <button class="primary" type="submit">Explain</button>
      </form>
      ${w
        ? html`<dl data-explain>
            <dt>Granted</dt><dd>${w.granted ? "Yes" : "No"}</dd>
            <dt>Reason</dt><dd>${w.reason}</dd>
            <dt>Period</dt><dd>${w.period_key ?? "—"}</dd>
            <dt>Value</dt><dd>${w.value == null ? "—" : num(w.value)}</dd>
            <dt>Thresholds</dt><dd>${(w.thresholds ?? []).map(num).join(" / ") || "—"}</dd>
            <dt>Definition version</dt><dd>${w.definition_version ?? "—"}</dd>
            <dt>Events</dt><dd>${(w.events ?? []).length
              ? html`<ul>${w.events.map((ev) => html`<li>${ev.id} · ${ev.type} · ${when(ev.occurred_at)}${ev.value != null ? ` · ${num(ev.value)}` : ""}</li>`)}</ul>`
              : "—"}</dd>
          </dl>`
        : nothing}`;
  }
}
customElements.define("page-simulate", PageSimulate);
