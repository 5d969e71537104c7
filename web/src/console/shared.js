// What the console's pages share: their styles, the API error shown beside the field it names,
// and labelled inputs.
import { LitElement, html, css, nothing } from "lit";
import { ApiError } from "../api.js";
import { tableStyles, theme } from "../components/theme.js";

export const pageStyles = css`
  h1 {
    font-size: 1.5em;
    margin: 0 0 var(--_gap);
  }
  h2 {
    font-size: 1.2em;
    margin: var(--_gap) 0;
  }
  form,
  .panel {
    display: grid;
    gap: var(--_gap);
    max-width: 760px;
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    display: grid;
    gap: var(--_gap);
  }
  .field {
    display: grid;
    gap: 4px;
  }
  .field > label,
  legend {
    font-weight: 600;
  }
  .field.check {
    grid-template-columns: auto 1fr;
    align-items: center;
  }
  .row {
    display: flex;
    gap: var(--_gap);
    flex-wrap: wrap;
    align-items: end;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.875em;
  }
  [aria-invalid="true"] {
    border-color: var(--_danger);
    border-width: 2px;
  }
  .field-error {
    color: var(--_danger);
    font-size: 0.9em;
    margin: 0;
  }
  a {
    color: var(--_accent);
  }
  .notice {
    color: var(--_progress);
  }
  .chart {
    max-width: 760px;
  }
`;

export class ConsolePage extends LitElement {
  static properties = {
    api: { attribute: false },
    claims: { attribute: false },
    params: { attribute: false },
    _error: { state: true },
    _errors: { state: true },
    _notice: { state: true },
  };

  static styles = [theme, tableStyles, pageStyles];

  constructor() {
    super();
    this._errors = {};
    this.params = {};
  }

  /** Run an API call: its error goes beside the fields it names, and to the page's alert. */
  async run(call, notice) {
    this._error = null;
    if (notice) this._notice = null; // a read that follows a write keeps the write's notice
    this._errors = {};
    try {
      const result = await call();
      if (notice) this._notice = typeof notice === "function" ? notice(result) : notice;
      return result;
    } catch (error) {
      this._error = error.message;
      this._notice = null;
      if (error instanceof ApiError) this._errors = error.fields;
      return undefined;
    }
  }

  /** The API's message for `name`, or for a field inside it ("levels" shows "levels[0].threshold"'s). */
  errorFor(name) {
    return this._errors[name];
  }

  fieldError(name) {
    const message = this.errorFor(name);
    return message
      ? html`<p class="field-error" id=${"err-" + name} data-error-for=${name} role="alert">${message}</p>`
      : nothing;
  }

  /** A labelled input bound to `obj[name]`; `opts.type` number/text/date…; `opts.hint` below. */
  input(obj, name, label, opts = {}) {
    const field = opts.field ?? name; // the API's name of the field, e.g. "levels[0].threshold"
    const id = "f-" + field;
    const value = obj[name] ?? "";
    const invalid = Boolean(this.errorFor(field));
    const set = (e) => {
      const raw = e.target.value;
      obj[name] = opts.type === "number" ? (raw === "" ? null : Number(raw)) : raw;
      this.requestUpdate();
    };
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} name=${field} type=${opts.type ?? "text"} .value=${String(value)} @input=${set}
        step=${opts.step ?? "any"} placeholder=${opts.placeholder ?? ""}
        aria-invalid=${String(invalid)} aria-describedby=${invalid ? "err-" + field : nothing} />
      ${opts.hint ? html`<span class="hint">${opts.hint}</span>` : nothing} ${this.fieldError(field)}
    </div>`;
  }

  select(obj, name, label, choices, opts = {}) {
    const field = opts.field ?? name;
    const id = "f-" + field;
    const invalid = Boolean(this.errorFor(field));
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <select id=${id} name=${field} ?disabled=${opts.disabled}
        @change=${(e) => {
          obj[name] = e.target.value;
          opts.onChange?.(e.target.value);
          this.requestUpdate();
        }}
        aria-invalid=${String(invalid)} aria-describedby=${invalid ? "err-" + field : nothing}>
        ${choices.map(([key, text]) => html`<option value=${key} ?selected=${String(obj[name] ?? "") === key}>${text}</option>`)}
      </select>
      ${this.fieldError(field)}
    </div>`;
  }

  checkbox(obj, name, label) {
    const id = "f-" + name;
    return html`<div class="field check">
      <input id=${id} name=${name} type="checkbox" .checked=${Boolean(obj[name])}
        @change=${(e) => {
          obj[name] = e.target.checked;
          this.requestUpdate();
        }} />
      <label for=${id}>${label}</label>
      ${this.fieldError(name)}
    </div>`;
  }

  alerts() {
    return html`${this._error ? html`<p role="alert" class="error" data-page-error>${this._error}</p>` : nothing}
      <p role="status" class="notice">${this._notice ?? ""}</p>`;
  }
}

/** A date-time for an <input type="datetime-local"> and back (UTC, as the API writes it). */
export const toLocalInput = (iso) => (iso ? String(iso).slice(0, 16) : "");
export const fromLocalInput = (value) => (value ? `${value}:00Z` : null);
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
