// Completion by organisation (GET /v1/admin/reports/completion) as a bar chart (Chart.js), with
// the same figures as a table for screen readers.
import { html, nothing } from "lit";
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";
import { num } from "../api.js";
import { ConsolePage } from "./shared.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

class PageCompletion extends ConsolePage {
  static properties = { ...ConsolePage.properties, _rows: { state: true }, _achievements: { state: true } };

  constructor() {
    super();
    this.q = { achievement_id: "", group: "", period_key: "" };
  }

  async firstUpdated() {
    this._achievements = (await this.api.achievements().catch(() => [])) ?? [];
    if (this._achievements.length) this.q.achievement_id = this._achievements[0].id;
    this.requestUpdate();
  }

  async _show(e) {
    e?.preventDefault();
    const out = await this.run(() => this.api.completion(this.q));
    if (!out) return;
    const rows = [];
    for (let page = out; ; ) {
      rows.push(...(page.items ?? []));
      if (!page.next_cursor) break;
      page = await this.api.completion({ ...this.q, cursor: page.next_cursor });
    }
    this._rows = rows;
    await this.updateComplete;
    this._draw();
  }

  _draw() {
    const canvas = this.renderRoot.querySelector("canvas");
    if (!canvas) return;
    this._chart?.destroy();
    this._chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: this._rows.map((r) => r.org_id ?? "(no organisation)"),
        datasets: [{ label: "Share earned (%)", data: this._rows.map((r) => Math.round(r.share * 1000) / 10), backgroundColor: "#1d4ed8" }],
      },
      options: { animation: false, responsive: true, scales: { y: { min: 0, max: 100, title: { display: true, text: "% of users who earned it" } } } },
    });
  }

  render() {
    const choices = (this._achievements ?? []).map((a) => [a.id, a.name]);
    return html`<h1>Completion by organisation</h1>
      <form class="row" @submit=${this._show} aria-label="Completion report">
        ${this.select(this.q, "achievement_id", "Achievement", choices)}
        ${this.input(this.q, "group", "Group (optional)")}
        ${this.input(this.q, "period_key", "Period (optional, e.g. M2026-11)")}
        <button class="primary" type="submit">Show</button>
      </form>
      ${this.alerts()}
      ${this._rows
        ? html`<div class="chart"><canvas role="img" aria-label="Share of users who earned the achievement, per organisation"></canvas></div>
            <table data-completion>
              <caption class="visually-hidden">Completion per organisation</caption>
              <thead><tr><th scope="col">Organisation</th><th scope="col">Users</th><th scope="col">Earned</th><th scope="col">Share</th></tr></thead>
              <tbody>${this._rows.map((r) => html`<tr><td>${r.org_id ?? "(none)"}</td><td>${num(r.users)}</td><td>${num(r.earned)}</td><td>${num(r.share * 100)}%</td></tr>`)}</tbody>
            </table>`
        : nothing}`;
  }
}
customElements.define("page-completion", PageCompletion);
