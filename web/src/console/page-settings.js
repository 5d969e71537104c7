// The tenant's settings (GET / PUT /v1/admin/settings).
import { html } from "lit";
import { ConsolePage } from "./shared.js";

class PageSettings extends ConsolePage {
  static properties = { ...ConsolePage.properties, _loaded: { state: true } };

  async firstUpdated() {
    const s = await this.run(() => this.api.settings());
    if (s) this.s = { ...s, coins: Boolean(s.features?.coins) };
    this._loaded = Boolean(s);
  }

  async _save(e) {
    e.preventDefault();
    const { timezone, winners_grace_hours, expiry_notice_days, coins } = this.s;
    await this.run(
      () => this.api.putSettings({ timezone, winners_grace_hours, expiry_notice_days, features: { coins: Boolean(coins) } }),
      "Settings saved.",
    );
  }

  render() {
    if (!this._loaded) return html`<h1>Settings</h1>${this.alerts()}`;
    return html`<h1>Settings</h1>
      ${this.alerts()}
      <form @submit=${this._save} aria-label="Settings">
        ${this.input(this.s, "timezone", "Time zone (IANA name)", { hint: "Periods (days, weeks, months) are computed in it." })}
        ${this.input(this.s, "winners_grace_hours", "Winners' grace period (hours, 0–72)", { type: "number", step: 1 })}
        ${this.input(this.s, "expiry_notice_days", "Expiry notice (days before)", { type: "number", step: 1 })}
        ${this.checkbox(this.s, "coins", "Coins (badges can grant coins)")}
        <div><button class="primary" type="submit">Save settings</button></div>
      </form>`;
  }
}
customElements.define("page-settings", PageSettings);
