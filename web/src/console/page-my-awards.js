// My awards (GET /v1/me/awards): status, validity, identifier and a link to each certificate.
import { html, nothing } from "lit";
import { roman } from "../api.js";
import { ConsolePage, when } from "./shared.js";
import "../components/accolade-badge.js";

class PageMyAwards extends ConsolePage {
  static properties = { ...ConsolePage.properties, _awards: { state: true } };

  firstUpdated() {
    this.load();
  }

  async load() {
    this._awards = await this.run(() => this.api.myAwards());
  }

  async _certificate(award) {
    const link = await this.run(() => this.api.certificateLink(award.award_id));
    if (link) window.open(link.url, "_blank", "noopener");
  }

  render() {
    return html`<h1>My awards</h1>
      ${this.alerts()}
      ${this._awards == null
        ? html`<p class="muted">Loading…</p>`
        : this._awards.length === 0
          ? html`<p class="muted">No awards yet.</p>`
          : html`<table>
              <thead><tr><th scope="col">Badge</th><th scope="col">Achievement</th><th scope="col">Level</th><th scope="col">Status</th>
                <th scope="col">Awarded</th><th scope="col">Valid until</th><th scope="col">Certificate</th></tr></thead>
              <tbody>
                ${this._awards.map(
                  (a) => html`<tr data-award-id=${a.award_id}>
                    <td><accolade-badge earned .badge=${a.badge || a.achievement_name} .level=${a.level} .size=${32}
                      label=${`${a.achievement_name} badge`}></accolade-badge></td>
                    <td>${a.achievement_name ?? a.achievement_id}${a.identifier ? html`<br /><span class="muted">${a.identifier}</span>` : nothing}</td>
                    <td>${roman(a.level)}</td>
                    <td>${a.status}</td>
                    <td>${when(a.awarded_at)}</td>
                    <td>${a.valid_until ? when(a.valid_until) : "No expiry"}</td>
                    <td>${a.certificate_url
                      ? html`<button @click=${() => this._certificate(a)} aria-label=${`Open the certificate of ${a.achievement_name}`}>Open</button>`
                      : html`<span class="muted">—</span>`}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}`;
  }
}
customElements.define("page-my-awards", PageMyAwards);
