// My goals (GET/PUT/DELETE /v1/me/goals): a target per day, week or month on a metric, with the
// current period's value.
import { html } from "lit";
import { num } from "../api.js";
import { ConsolePage } from "./shared.js";

const PERIODS = [["day", "Day"], ["week", "Week"], ["month", "Month"]];

class PageGoals extends ConsolePage {
  static properties = { ...ConsolePage.properties, _goals: { state: true } };

  constructor() {
    super();
    this.form = { goal_id: "", metric: "", period: "week", target: null };
  }

  firstUpdated() {
    this.load();
  }

  async load() {
    const out = await this.run(() => this.api.myGoals());
    if (out) this._goals = out.items;
  }

  async _save(e) {
    e.preventDefault();
    const { goal_id, ...body } = this.form;
    const saved = await this.run(() => this.api.putGoal(goal_id || "goal", body), "Goal saved.");
    if (saved) await this.load();
  }

  async _delete(goal) {
    await this.run(() => this.api.deleteGoal(goal.goal_id), "Goal deleted.");
    await this.load();
  }

  render() {
    return html`<h1>My goals</h1>
      ${this.alerts()}
      <table>
        <thead><tr><th scope="col">Goal</th><th scope="col">Metric</th><th scope="col">Period</th><th scope="col">Progress</th><th scope="col"></th></tr></thead>
        <tbody>
          ${(this._goals ?? []).map(
            (g) => html`<tr data-goal-id=${g.goal_id}>
              <td>${g.goal_id}</td><td>${g.metric}</td><td>${g.period} (${g.period_key})</td>
              <td>${num(g.value)} / ${num(g.target)}${g.reached ? " ✓ reached" : ""}</td>
              <td><button @click=${() => this._delete(g)} aria-label=${`Delete goal ${g.goal_id}`}>Delete</button></td>
            </tr>`,
          )}
        </tbody>
      </table>
      <h2>Set a goal</h2>
      <form @submit=${this._save}>
        <div class="row">
          ${this.input(this.form, "goal_id", "Goal id", { placeholder: "weekly-sales" })}
          ${this.input(this.form, "metric", "Metric")}
          ${this.select(this.form, "period", "Period", PERIODS)}
          ${this.input(this.form, "target", "Target", { type: "number" })}
        </div>
        <div><button class="primary" type="submit">Save goal</button></div>
      </form>`;
  }
}
customElements.define("page-goals", PageGoals);
