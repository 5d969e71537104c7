// A badge's artwork: the image the API serves for its family and level when `src` is given,
// else a medallion drawn from the badge's name. Not earned: greyscale.
import { LitElement, html, svg, css, nothing } from "lit";
import { roman } from "../api.js";

const hue = (name) => [...String(name || "badge")].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);

export class AccoladeBadge extends LitElement {
  static properties = {
    badge: { type: String },
    level: { type: Number },
    earned: { type: Boolean, reflect: true },
    size: { type: Number },
    src: { type: String },
    label: { type: String },
    _broken: { state: true },
  };

  static styles = css`
    :host {
      display: inline-block;
      line-height: 0;
    }
    :host(:not([earned])) .art {
      filter: grayscale(1);
      opacity: var(--accolade-unearned-opacity, 0.55);
    }
    img,
    svg {
      display: block;
    }
  `;

  constructor() {
    super();
    this.level = 1;
    this.size = 56;
    this.earned = false;
  }

  updated(changed) {
    if (changed.has("src")) this._broken = false;
  }

  render() {
    const size = this.size;
    const label = this.label ?? `${this.badge || "badge"} ${roman(this.level)}`;
    if (this.src && !this._broken) {
      return html`<img class="art" part="art" src=${this.src} width=${size} height=${size} alt=${label}
        @error=${() => (this._broken = true)} />`;
    }
    const h = hue(this.badge);
    const decorative = this.label === ""; // next to text that names it
    return html`<svg class="art" part="art" role=${decorative ? nothing : "img"} aria-label=${decorative ? nothing : label}
      aria-hidden=${decorative ? "true" : nothing} width=${size} height=${size}
      viewBox="0 0 64 64">${svg`
      <circle cx="32" cy="32" r="30" fill="hsl(${h} 70% 38%)" />
      <circle cx="32" cy="32" r="24" fill="hsl(${h} 80% 55%)" stroke="hsl(${(h + 40) % 360} 90% 85%)" stroke-width="3" />
      <text x="32" y="39" text-anchor="middle" font-family="Georgia, serif" font-weight="700"
        font-size="20" fill="#fff">${roman(this.level) || "★"}</text>`}</svg>`;
  }
}

customElements.define("accolade-badge", AccoladeBadge);
