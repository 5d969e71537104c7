// The tenant's achievements (GET /v1/admin/achievements): enable or disable each, open it in the
// builder or see its holders.
import { html } from "lit";
import { ConsolePage } from "./shared.js";
import "../components/accolade-badge.js";

export const TYPES = [
  ["metric_threshold", "Metric threshold (levels I/II/III)"],
  ["period_top", "Highest value of the week / month"],
  ["goal_reached", "Personal goal reached"],
  ["first_activity_in_project", "First activity in a project"],
  ["event", "Event (e.g. app installed, certification completed)"],
  ["manual", "Manually awarded"],
  ["course_completion", "Course completion"],
];
export const typeName = (type) => TYPES.find(([key]) => key === type)?.[1] ?? type;

class PageAchievements extends ConsolePage {
  static properties = { ...ConsolePage.properties, _items: { state: true } };

  firstUpdated() {
    this.load();
  }

  async load() {
    const items = await this.run(() => this.api.achievements());
    if (items) this._items = items.sort((a, b) => a.name.localeCompare(b.name));
  }

  async _toggle(a) {
    const done = await this.run(
      () => this.api.editAchievement(a.id, { enabled: !a.enabled }),
      `${a.name} ${a.enabled ? "disabled" : "enabled"}.`,
    );
    if (done) this._items = this._items.map((x) => (x.id === a.id ? done : x));
  }

  render() {
    return html`<h1>Achievements</h1>
      <p><a href="#/admin/achievements/new" data-new>New achievement</a></p>
      ${this.alerts()}
      ${this._items == null
        ? html`<p class="muted">Loading…</p>`
        : html`<table>
            <thead><tr><th scope="col">Badge</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Category</th>
              <th scope="col">Enabled</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              ${this._items.map(
                (a) => html`<tr data-achievement-id=${a.id}>
                  <td><accolade-badge ?earned=${a.enabled} .badge=${a.badge || a.name} .level=${a.levels.length} .size=${32}
                    .src=${a.badge ? this.api.badgeUrl(a.badge, 1) : undefined} label=${`${a.name} badge`}></accolade-badge></td>
                  <td><a href=${`#/admin/achievements/${encodeURIComponent(a.id)}`}>${a.name}</a></td>
                  <td>${typeName(a.type)}</td>
                  <td>${a.category}${a.period ? ` / ${a.period}` : ""}</td>
                  <td>${a.enabled ? "Yes" : "No"}</td>
                  <td class="row">
                    <button @click=${() => this._toggle(a)} aria-label=${`${a.enabled ? "Disable" : "Enable"} ${a.name}`}>
                      ${a.enabled ? "Disable" : "Enable"}</button>
                    <a href=${`#/admin/achievements/${encodeURIComponent(a.id)}/holders`} aria-label=${`Holders of ${a.name}`}>Holders</a>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}`;
  }
}
customElements.define("page-achievements", PageAchievements);
