// The audit log (GET /v1/admin/audit): who did what and when, with the state before and after.
import { html, nothing } from "lit";
import { ConsolePage, when } from "./shared.js";

const show = (value) => (value == null ? "—" : JSON.stringify(value, null, 1));

class PageAudit extends ConsolePage {
  static properties = { ...ConsolePage.properties, _items: { state: true }, _next: { state: true } };

  firstUpdated() {
    this.load();
  }

  async load(cursor) {
    const page = await this.run(() => this.api.audit({ limit: 50, cursor }));
    if (!page) return;
    this._items = cursor ? [...this._items, ...page.items] : page.items;
    this._next = page.next_cursor;
  }

  render() {
    return html`<h1>Audit log</h1>
      ${this.alerts()}
      ${this._items == null
        ? nothing
        : html`<table data-audit>
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
            <tbody>${this._items.map(
              (a) => html`<tr><td>${when(a.at ?? a.created_at ?? a.when)}</td><td>${a.actor ?? a.who ?? a.user_id}</td>
                <td>${a.action ?? a.what}${a.target ?? a.resource ? html`<br /><span class="muted">${a.target ?? a.resource}</span>` : nothing}</td>
                <td><pre>${show(a.before)}</pre></td><td><pre>${show(a.after)}</pre></td></tr>`,
            )}</tbody>
          </table>
          ${this._next ? html`<button @click=${() => this.load(this._next)}>Load more</button>` : nothing}`}`;
  }
}
customElements.define("page-audit", PageAudit);
