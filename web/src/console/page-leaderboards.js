// Leaderboards: the <accolade-leaderboard> component for a metric chosen here (admins pick from
// the tenant's metrics), with its period switcher and TV mode.
import { html, nothing } from "lit";
import { ConsolePage } from "./shared.js";
import "../components/accolade-leaderboard.js";

const KEY = "accolade.leaderboard.metric";

class PageLeaderboards extends ConsolePage {
  static properties = { ...ConsolePage.properties, _metric: { state: true }, _metrics: { state: true } };

  constructor() {
    super();
    this.form = { metric: localStorage.getItem(KEY) || "sales" };
    this._metric = this.form.metric;
  }

  async firstUpdated() {
    // Only admins may list metrics; a user types the metric's id.
    this._metrics = await this.api.metrics().catch(() => null);
  }

  _show(e) {
    e.preventDefault();
    this._metric = this.form.metric;
    localStorage.setItem(KEY, this._metric);
  }

  render() {
    const all = this._metrics?.map((m) => m.metric_id).join(",");
    return html`<h1>Leaderboards</h1>
      <form class="row" @submit=${this._show}>
        ${this._metrics?.length
          ? this.select(this.form, "metric", "Metric", this._metrics.map((m) => [m.metric_id, m.metric_id]))
          : this.input(this.form, "metric", "Metric")}
        <button type="submit">Show</button>
      </form>
      ${this._metric
        ? html`<accolade-leaderboard .getToken=${this.getToken} api-base=${this.apiBase || nothing}
            metric=${this._metric} metrics=${all || this._metric} periods="week,month,all_time"></accolade-leaderboard>`
        : nothing}`;
  }
}
customElements.define("page-leaderboards", PageLeaderboards);
