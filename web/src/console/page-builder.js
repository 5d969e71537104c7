// The achievement builder (POST / PATCH /v1/admin/achievements): a type-aware form showing only
// the fields that apply to the chosen type, levels I/II/III, a badge picker, audience groups,
// validity, certificate and sequence. The type is fixed once created.
import { html, nothing } from "lit";
import { roman } from "../api.js";
import { ConsolePage, fromLocalInput, toLocalInput } from "./shared.js";
import { TYPES } from "./page-achievements.js";
import "../components/accolade-badge.js";

// Built-in badge families, until the API lists its own (GET /v1/badges).
export const FAMILIES = ["sales", "calls", "leads", "learning", "certification", "streak", "team", "milestone", "champion", "speed"];

/** Which optional parts of the form each type has. */
export const APPLIES = {
  metric_threshold: { metric: true, time_range: true, levels: 3, category: true },
  period_top: { metric: true, winner: true, levels: 1, category: true },
  goal_reached: { metric: "optional", levels: 1, category: true, repeatable: true },
  first_activity_in_project: { activity_types: true, levels: 1 },
  event: { event_type: true, levels: 1, category: true, repeatable: true },
  manual: { levels: 1, category: true },
  course_completion: { levels: 1 },
};
const TIME_RANGES = [["all_time", "All time"], ["day", "Per day"], ["week", "Per week"], ["month", "Per month"]];
const PERIODS = [["week", "Week"], ["month", "Month"]];
const CATEGORIES = [["award", "Award (any number)"], ["membership", "Membership (one per user per period)"], ["record", "Record (one holder per period)"]];
const VALIDITY = [["none", "No expiry"], ["until_end_of", "Until the end of the current…"], ["amount", "For a length of time"]];
const UNITS = [["day", "Days"], ["week", "Weeks"], ["month", "Months"], ["year", "Years"]];

const blank = () => ({
  name: "",
  description: "",
  type: "metric_threshold",
  enabled: true,
  badge: "",
  metric: "",
  time_range: "week",
  period: "week",
  event_type: "",
  activity_types: "",
  category: "award",
  repeatable: false,
  validity_kind: "none",
  until_end_of: "month",
  amount: 1,
  unit: "year",
  effective_from: "",
  effective_to: "",
  groups: "",
  show_next_to_name: false,
  certificate: false,
  send_certificate: false,
  sequence_id: "",
});

const words = (text) => String(text || "").split(",").map((s) => s.trim()).filter(Boolean);

class PageBuilder extends ConsolePage {
  static properties = {
    ...ConsolePage.properties,
    _loaded: { state: true },
    _metrics: { state: true },
    _coins: { state: true },
    _families: { state: true },
  };

  constructor() {
    super();
    this.f = blank();
    this.levels = [{ threshold: 5, points: 10, coins: 0 }, { threshold: 10, points: 20, coins: 0 }, { threshold: 15, points: 30, coins: 0 }];
    this.levelCount = 3;
    this._families = FAMILIES.map((family) => ({ family, name: family }));
  }

  get editing() {
    return this.params?.id;
  }

  async firstUpdated() {
    const [metrics, settings, families, custom] = await Promise.all([
      this.api.metrics().catch(() => []),
      this.api.settings().catch(() => null),
      this.api.badges().catch(() => null),
      this.api.customBadges().catch(() => []),
    ]);
    this._metrics = metrics;
    this._coins = Boolean(settings?.features?.coins);
    // A family's artwork from this API (its listed URL names the deployment's public address).
    if (families?.length) this._families = families.map((b) => ({ family: b.badge, name: b.name }));
    const ready = (custom ?? []).filter((b) => b.status === "ready");
    this._families = [...this._families, ...ready.map((b) => ({ family: b.badge, name: b.name, src: b.images?.[0]?.url }))];
    if (this.editing) await this._load();
    this._loaded = true;
  }

  async _load() {
    const a = await this.run(() => this.api.achievement(this.editing));
    if (!a) return;
    const v = a.validity;
    this.f = {
      ...blank(),
      ...a,
      badge: a.badge ?? "",
      metric: a.metric ?? "",
      time_range: a.time_range ?? "week",
      period: a.period ?? "week",
      event_type: a.event_type ?? "",
      activity_types: (a.activity_types ?? []).join(", "),
      validity_kind: v ? (v.until_end_of ? "until_end_of" : "amount") : "none",
      until_end_of: v?.until_end_of ?? "month",
      amount: v?.amount ?? 1,
      unit: v?.unit ?? "year",
      effective_from: toLocalInput(a.effective_from),
      effective_to: toLocalInput(a.effective_to),
      groups: (a.audience?.groups ?? []).join(", "),
      sequence_id: a.sequence_id ?? "",
    };
    this.levels = a.levels.map(({ threshold, points, coins }) => ({ threshold, points, coins }));
    this.levelCount = this.levels.length;
    while (this.levels.length < 3) this.levels.push({ threshold: null, points: 0, coins: 0 });
    this._achievement = a;
  }

  /** The definition the API takes: only the fields the chosen type has. */
  definition() {
    const f = this.f;
    const applies = APPLIES[f.type] ?? {};
    const body = {
      name: f.name,
      description: f.description,
      enabled: Boolean(f.enabled),
      badge: f.badge || null,
      audience: { groups: words(f.groups) },
      show_next_to_name: Boolean(f.show_next_to_name),
      certificate: Boolean(f.certificate),
      send_certificate: Boolean(f.certificate && f.send_certificate),
      sequence_id: f.sequence_id || null,
      effective_from: fromLocalInput(f.effective_from),
      effective_to: fromLocalInput(f.effective_to),
      validity:
        f.validity_kind === "until_end_of"
          ? { until_end_of: f.until_end_of }
          : f.validity_kind === "amount"
            ? { amount: f.amount, unit: f.unit }
            : null,
    };
    const levels = applies.levels === 3 ? this.levels.slice(0, this.levelCount) : [{ ...this.levels[0], threshold: 1 }];
    body.levels = levels.map((l) => ({ threshold: l.threshold, points: l.points ?? 0, coins: this._coins ? (l.coins ?? 0) : 0 }));
    if (applies.metric) body.metric = f.metric || null;
    if (applies.time_range) body.time_range = f.time_range;
    if (applies.event_type) body.event_type = f.event_type || null;
    if (applies.activity_types) body.activity_types = words(f.activity_types);
    if (applies.repeatable) body.repeatable = Boolean(f.repeatable);
    if (applies.category) body.category = f.category;
    if (applies.winner || (applies.category && f.category !== "award")) body.period = f.period;
    if (!this.editing) body.type = f.type;
    return body;
  }

  async _submit(e) {
    e.preventDefault();
    const body = this.definition();
    const saved = await this.run(
      () => (this.editing ? this.api.editAchievement(this.editing, body) : this.api.createAchievement(body)),
      (a) => `Saved ${a.name} (version ${a.version}).`,
    );
    if (saved) this._achievement = saved;
    if (saved && !this.editing) location.hash = `#/admin/achievements/${encodeURIComponent(saved.id)}`;
  }

  /** A custom badge: the API answers an upload form per image (S3's browser POST), then checks
   * the images; a ready badge is picked. */
  async _upload(e) {
    e.preventDefault();
    const form = e.target;
    const files = [...form.querySelector("input[type=file]").files];
    const name = form.querySelector("input[name=badge_name]").value;
    const levels = files.length === 3 ? 3 : 1;
    const created = await this.run(() => this.api.uploadBadge({ name, levels, content_type: files[0]?.type || "image/svg+xml" }));
    if (!created) return;
    try {
      for (const [i, upload] of created.uploads.entries()) {
        const data = new FormData();
        for (const [key, value] of Object.entries(upload.fields ?? {})) data.append(key, value);
        data.append("file", files[i]);
        // S3 answers without CORS headers: the answer is not read, the validation says.
        await fetch(upload.url, { method: "POST", body: data, mode: "no-cors" });
      }
    } catch (error) {
      this._error = error.message;
      return;
    }
    const checked = await this.run(() => this.api.validateBadge(created.badge_id));
    if (checked?.status === "ready") {
      this.f.badge = checked.badge;
      this._families = [...this._families, { family: checked.badge, name: checked.name, src: checked.images?.[0]?.url }];
      this._notice = `Badge ${checked.name} is ready and picked.`;
    } else if (checked) {
      this._errors = { badge_files: checked.reason || `the badge is ${checked.status}` };
    }
  }

  _levels(count) {
    const leveled = count === 3;
    return html`<fieldset data-field="levels">
      <legend>${leveled ? "Levels and thresholds" : "Reward"}</legend>
      ${this.fieldError("levels")}
      ${leveled
        ? this.select(this, "levelCount", "Levels", [["1", "I"], ["2", "I and II"], ["3", "I, II and III"]], { field: "level_count" })
        : nothing}
      ${this.levels.slice(0, leveled ? Number(this.levelCount) : 1).map(
        (l, i) => html`<div class="row" role="group" aria-label=${leveled ? `Level ${roman(i + 1)}` : "Reward"}>
          ${leveled ? this.input(l, "threshold", `Level ${roman(i + 1)} threshold`, { type: "number", field: `levels[${i}].threshold` }) : nothing}
          ${this.input(l, "points", leveled ? `Level ${roman(i + 1)} points` : "Points", { type: "number", field: `levels[${i}].points` })}
          ${this._coins ? this.input(l, "coins", leveled ? `Level ${roman(i + 1)} coins` : "Coins", { type: "number", field: `levels[${i}].coins` }) : nothing}
        </div>`,
      )}
    </fieldset>`;
  }

  _badgePicker() {
    const f = this.f;
    return html`<fieldset data-field="badge">
      <legend>Badge</legend>
      <div class="row" role="radiogroup" aria-label="Badge family">
        ${this._families.map(
          ({ family, name, src }) => html`<label class="row">
            <input type="radio" name="badge-choice" value=${family} .checked=${f.badge === family}
              @change=${() => { f.badge = family; this.requestUpdate(); }} />
            <accolade-badge earned .badge=${family} .level=${1} .size=${36} .src=${src ?? this.api.badgeUrl(family, 1)} label=""></accolade-badge>
            ${name && name !== family ? `${name} (${family})` : family}
          </label>`,
        )}
      </div>
      ${this.input(f, "badge", "Badge (family or custom badge id)")}
    </fieldset>`;
  }

  render() {
    if (!this._loaded) return html`<p class="muted">Loading…</p>`;
    const f = this.f;
    const applies = APPLIES[f.type] ?? {};
    const metrics = [["", "— choose a metric —"], ...(this._metrics ?? []).map((m) => [m.metric_id, `${m.metric_id} (${m.aggregate} of ${m.event_type})`])];
    return html`<h1>${this.editing ? `Edit ${this._achievement?.name ?? "achievement"}` : "New achievement"}</h1>
      ${this.editing ? html`<p><a href=${`#/admin/achievements/${encodeURIComponent(this.editing)}/holders`}>Holders of this achievement</a></p>` : nothing}
      ${this.alerts()}
      <form @submit=${this._submit} novalidate aria-label="Achievement">
        ${this.select(f, "type", "Type", TYPES, { disabled: Boolean(this.editing) })}
        ${this.editing ? html`<span class="hint">The type of an achievement never changes.</span>` : nothing}
        ${this.input(f, "name", "Name")}
        ${this.input(f, "description", "Description")}
        ${this.checkbox(f, "enabled", "Enabled (grants while enabled)")}
        ${applies.metric
          ? this.select(f, "metric", applies.metric === "optional" ? "Metric (only goals on it; optional)" : "Metric", metrics)
          : nothing}
        ${applies.time_range ? this.select(f, "time_range", "Time range", TIME_RANGES) : nothing}
        ${applies.event_type ? this.input(f, "event_type", "Event type", { placeholder: "notifications.enabled" }) : nothing}
        ${applies.activity_types ? this.input(f, "activity_types", "Activity types (comma-separated)", { placeholder: "call, email" }) : nothing}
        ${applies.category ? this.select(f, "category", "Category", CATEGORIES) : nothing}
        ${applies.winner || (applies.category && f.category !== "award")
          ? this.select(f, "period", applies.winner ? "Winner of each" : "Held per", PERIODS)
          : nothing}
        ${applies.repeatable ? this.checkbox(f, "repeatable", "Repeatable (earned again each time)") : nothing}
        ${this._levels(applies.levels)}
        ${this._badgePicker()}
        <fieldset data-field="validity">
          <legend>Validity</legend>
          ${this.fieldError("validity")}
          ${this.select(f, "validity_kind", "Awards stay valid", VALIDITY, { field: "validity_kind" })}
          ${f.validity_kind === "until_end_of" ? this.select(f, "until_end_of", "Until the end of the", [["day", "Day"], ["week", "Week"], ["month", "Month"]], { field: "validity.until_end_of" }) : nothing}
          ${f.validity_kind === "amount"
            ? html`<div class="row">${this.input(f, "amount", "Amount", { type: "number", field: "validity.amount" })}
                ${this.select(f, "unit", "Unit", UNITS, { field: "validity.unit" })}</div>`
            : nothing}
        </fieldset>
        <div class="row">
          ${this.input(f, "effective_from", "Effective from (UTC)", { type: "datetime-local" })}
          ${this.input(f, "effective_to", "Effective to (UTC)", { type: "datetime-local" })}
        </div>
        ${this.input(f, "groups", "Audience groups (comma-separated; empty: everyone)", { field: "audience.groups" })}
        ${this.checkbox(f, "show_next_to_name", "Show next to the holder's name on leaderboards")}
        <fieldset>
          <legend>Certificate</legend>
          ${this.checkbox(f, "certificate", "Issue a certificate")}
          ${f.certificate ? this.checkbox(f, "send_certificate", "Attach the certificate link to the award notification") : nothing}
          ${this.input(f, "sequence_id", "Sequence (numbers the awards' identifiers)", { placeholder: "cpr" })}
        </fieldset>
        <div><button class="primary" type="submit">${this.editing ? "Save changes" : "Create achievement"}</button></div>
      </form>
      <h2>Custom badge</h2>
      <form @submit=${this._upload} aria-label="Custom badge">
        <div class="field"><label for="badge_name">Badge name</label><input id="badge_name" name="badge_name" /></div>
        <div class="field"><label for="badge_files">Images (one, or three for levels I, II and III)</label>
          <input id="badge_files" name="badge_files" type="file" multiple accept="image/svg+xml,image/png,image/webp"
            aria-invalid=${String(Boolean(this.errorFor("badge_files")))} />${this.fieldError("badge_files")}</div>
        <div><button type="submit">Upload badge</button></div>
      </form>`;
  }
}
customElements.define("page-builder", PageBuilder);

