// The tenant's metrics (GET / PUT /v1/admin/metrics): what a metric counts or sums, and the
// periods it is ranked over.
import { html, nothing } from "lit";
import { ConsolePage } from "./shared.js";

const RANGES = ["day", "week", "month", "all_time"];

class PageMetrics extends ConsolePage {
  static properties = { ...ConsolePage.properties, _items: { state: true } };

  constructor() {
    super();
    this.m = { metric_id: "", event_type: "", aggregate: "count", field: "", day: true, week: true, month: true, all_time: true };
  }

  firstUpdated() {
    this.load();
  }

  async load() {
    this._items = await this.run(() => this.api.metrics());
  }

  async _save(e) {
    e.preventDefault();
    const m = this.m;
    const body = { event_type: m.event_type, aggregate: m.aggregate, leaderboards: RANGES.filter((r) => m[r]) };
    if (m.aggregate === "sum" && m.field) body.field = m.field;
    if (await this.run(() => this.api.putMetric(m.metric_id, body), `Metric ${m.metric_id} saved.`)) await this.load();
  }

  render() {
    const m = this.m;
    return html`<h1>Metrics</h1>
      ${this.alerts()}
      <table>
        <thead><tr><th scope="col">Metric</th><th scope="col">Event type</th><th scope="col">Aggregate</th><th scope="col">Leaderboards</th></tr></thead>
        <tbody>${(this._items ?? []).map(
          (x) => html`<tr><td>${x.metric_id}</td><td>${x.event_type}</td><td>${x.aggregate}${x.field ? ` of ${x.field}` : ""}</td><td>${x.leaderboards.join(", ")}</td></tr>`,
        )}</tbody>
      </table>
      <h2>Create or replace a metric</h2>
      <form @submit=${this._save} aria-label="Metric">
        <div class="row">
          ${this.input(m, "metric_id", "Metric id", { field: "metric_id" })}
          ${this.input(m, "event_type", "Event type")}
          ${this.select(m, "aggregate", "Aggregate", [["count", "Count of events"], ["sum", "Sum of a value"]])}
          ${m.aggregate === "sum" ? this.input(m, "field", "Field (empty: the event's value)") : nothing}
        </div>
        <fieldset><legend>Ranked on leaderboards</legend>${this.fieldError("leaderboards")}
          <div class="row">${RANGES.map((r) => this.checkbox(m, r, r.replace("_", " ")))}</div></fieldset>
        <div><button class="primary" type="submit">Save metric</button></div>
      </form>`;
  }
}
customElements.define("page-metrics", PageMetrics);
