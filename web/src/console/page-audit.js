// The audit log (GET /v1/admin/audit): who did what and when, with the item before and after;
// filtered by actor, action or the id of what changed.
import { html, nothing } from "lit";
import { ConsolePage, when } from "./shared.js";

const show = (value) => (value == null ? "—" : JSON.stringify(value, null, 1));

class PageAudit extends ConsolePage {
  static properties = { ...ConsolePage.properties, _items: { state: true }, _next: { state: true } };

  constructor() {
    super();
    this.q = { actor: "", action: "", target: "" };
  }

  firstUpdated() {
    this.load();
  }

  async load(cursor) {
    const page = await this.run(() => this.api.audit({ ...this.q, limit: 50, cursor }));
    if (!page) return;
    this._items = cursor ? [...this._items, ...page.items] : page.items;
    this._next = page.next_cursor;
  }

  _filter(e) {
    e.preventDefault();
    this.load();
  }

  render() {
    return html`<h1>Audit log</h1>
      <form class="row" @submit=${this._filter} aria-label="Filter the audit log">
        ${this.input(this.q, "actor", "Who (user id)")}
        ${this.input(this.q, "action", "Action", { placeholder: "award.revoke" })}
        ${this.input(this.q, "target", "Id of what changed")}
        <button type="submit">Filter</button>
      </form>
      ${this.alerts()}
      ${this._items == null
        ? nothing
        : this._items.length === 0
          ? html`<p class="muted">No entries.</p>`
          : html`<table data-audit>
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Changed</th>
              <th scope="col">Before</th><th scope="col">After</th></tr></thead>
            <tbody>${this._items.map(
              (a) => html`<tr data-action=${a.action}><td>${when(a.at)}</td>
                <td>${a.actor?.user_id ?? a.actor}${a.actor?.roles?.length ? html`<br /><span class="muted">${a.actor.roles.join(", ")}</span>` : nothing}</td>
                <td>${a.action}<br /><span class="muted">${a.route}</span></td>
                <td>${(a.changed ?? []).join(", ") || "—"}</td>
                <td><pre>${show(a.before)}</pre></td><td><pre>${show(a.after)}</pre></td></tr>`,
            )}</tbody>
          </table>
          ${this._next ? html`<button @click=${() => this.load(this._next)}>Load more</button>` : nothing}`}`;
  }
}
customElements.define("page-audit", PageAudit);
