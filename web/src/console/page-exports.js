// Exports (POST /v1/admin/exports, GET /v1/admin/exports/{id}): start one with its filters, watch
// its progress, then download the CSV.
import { html, nothing } from "lit";
import { num } from "../api.js";
import { ConsolePage, fromLocalInput } from "./shared.js";

const STATUSES = [["", "Any"], ["active", "Active"], ["expired", "Expired"], ["revoked", "Revoked"]];

class PageExports extends ConsolePage {
  static properties = { ...ConsolePage.properties, _export: { state: true }, _achievements: { state: true } };

  constructor() {
    super();
    this.q = { achievement_id: "", org_id: "", status: "", from: "", to: "" };
  }

  async firstUpdated() {
    this._achievements = (await this.api.achievements().catch(() => [])) ?? [];
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearTimeout(this._timer);
  }

  async _start(e) {
    e.preventDefault();
    const body = {};
    for (const key of ["achievement_id", "org_id", "status"]) if (this.q[key]) body[key] = this.q[key];
    if (this.q.from) body.from = fromLocalInput(this.q.from);
    if (this.q.to) body.to = fromLocalInput(this.q.to);
    const started = await this.run(() => this.api.startExport(body));
    if (!started) return;
    this._export = { export_id: started.export_id, status: "running", rows: 0 };
    this._poll();
  }

  async _poll() {
    const found = await this.run(() => this.api.exportStatus(this._export.export_id));
    if (!found) return;
    this._export = { ...this._export, ...found };
    if (found.status === "running") this._timer = setTimeout(() => this._poll(), 1000);
  }

  render() {
    const x = this._export;
    const choices = [["", "All achievements"], ...(this._achievements ?? []).map((a) => [a.id, a.name])];
    return html`<h1>Exports</h1>
      <form @submit=${this._start} aria-label="Export">
        <div class="row">
          ${this.select(this.q, "achievement_id", "Achievement", choices)}
          ${this.input(this.q, "org_id", "Organisation")}
          ${this.select(this.q, "status", "Status", STATUSES)}
          ${this.input(this.q, "from", "Awarded from (UTC)", { type: "datetime-local" })}
          ${this.input(this.q, "to", "Awarded to (UTC)", { type: "datetime-local" })}
        </div>
        <div><button class="primary" type="submit">Start export</button></div>
      </form>
      ${this.alerts()}
      ${x
        ? html`<section aria-live="polite" data-export=${x.export_id} data-status=${x.status}>
            <h2>Export ${x.export_id}</h2>
            ${x.status === "running"
              ? html`<p>Running… ${num(x.rows)} rows so far.</p><progress aria-label="Export progress"></progress>`
              : x.status === "done"
                ? html`<p>Done: ${num(x.rows)} rows. <a href=${x.url} download data-download>Download the CSV</a></p>`
                : html`<p class="error">The export failed.</p>`}
          </section>`
        : nothing}`;
  }
}
customElements.define("page-exports", PageExports);
