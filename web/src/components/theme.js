// The styles every component shares. Each colour, font and size a host may change is a CSS
// custom property (documented in README.md, "Console and components"); the defaults meet WCAG AA
// contrast on white.
import { css } from "lit";

export const theme = css`
  :host {
    --_text: var(--accolade-color-text, #1f2937);
    --_muted: var(--accolade-color-muted, #4b5563);
    --_bg: var(--accolade-color-background, #ffffff);
    --_surface: var(--accolade-color-surface, #f9fafb);
    --_border: var(--accolade-color-border, #d1d5db);
    --_accent: var(--accolade-color-accent, #1d4ed8);
    --_on-accent: var(--accolade-color-on-accent, #ffffff);
    --_progress: var(--accolade-color-progress, #15803d);
    --_danger: var(--accolade-color-danger, #b91c1c);
    --_radius: var(--accolade-radius, 8px);
    --_gap: var(--accolade-spacing, 12px);
    --_focus: var(--accolade-focus-ring, 3px solid #f59e0b);
    display: block;
    color: var(--_text);
    font-family: var(--accolade-font-family, system-ui, sans-serif);
    font-size: var(--accolade-font-size, 16px);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  *:focus-visible {
    outline: var(--_focus);
    outline-offset: 2px;
  }
  button,
  select,
  input {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--_accent);
    background: var(--_bg);
    color: var(--_accent);
    border-radius: var(--_radius);
    padding: 4px 12px;
  }
  button.primary,
  button[aria-pressed="true"] {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  select,
  input {
    border: 1px solid var(--_muted);
    border-radius: var(--_radius);
    padding: 4px 8px;
    background: var(--_bg);
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: end;
    gap: var(--_gap);
    margin-block-end: var(--_gap);
  }
  .toolbar label {
    display: flex;
    flex-direction: column;
    font-size: 0.875em;
    color: var(--_muted);
  }
  .error {
    color: var(--_danger);
  }
  .muted {
    color: var(--_muted);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

// Tables: the leaderboard's and the console pages'.
export const tableStyles = css`
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    padding: 6px 8px;
    border-block-end: 1px solid var(--_border);
    vertical-align: top;
  }
  th {
    color: var(--_muted);
  }
`;
