// The one client of Accolade's HTTP API v1 (docs/openapi.json): every page and component calls
// the API through it. The typedefs name the OpenAPI document's schemas.

/**
 * @typedef {import("./api-types").components["schemas"]} S  the OpenAPI document's schemas
 * @typedef {{field: string, message: string}} ErrorDetail
 * @typedef {{items: any[], next_cursor: string|null}} Listing  every list route's answer
 * @typedef {() => Promise<string|null>|string|null} TokenProvider
 * @typedef {{params?: Record<string, any>, body?: any}} RequestOptions
 */

/** An answer other than 2xx: `details` name the fields of a 422. */
export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message || body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http_" + status;
    /** @type {ErrorDetail[]} */
    this.details = Array.isArray(error.details) ? error.details : [];
  }

  /** The message for each field the API named ("body.levels[0].threshold" -> "levels[0].threshold"). */
  get fields() {
    const out = {};
    for (const d of this.details) {
      const field = String(d.field ?? "").replace(/^body\.?/, "");
      if (field && !(field in out)) out[field] = d.message;
    }
    return out;
  }
}

const query = (params = {}) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? "?" + s : "";
};

const enc = encodeURIComponent;

export class AccoladeApi {
  /**
   * @param {{base?: string, getToken?: TokenProvider}} options  base: the API's origin ("" = this one)
   */
  constructor({ base = "", getToken = async () => null } = {}) {
    this.base = base.replace(/\/+$/, "");
    this.getToken = getToken;
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {RequestOptions} [options]
   * @returns {Promise<any>}
   */
  async request(method, path, { params, body } = {}) {
    const token = await this.getToken();
    const headers = { accept: "application/json" };
    if (token) headers.authorization = "Bearer " + token;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(this.base + path + query(params), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { message: text };
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  /**
   * Every item of a list route, following next_cursor (at most `pages` pages).
   * @param {string} path
   * @param {Record<string, any>} [params]
   * @returns {Promise<any[]>}
   */
  async all(path, params = {}, pages = 20) {
    const items = [];
    let cursor = null;
    for (let i = 0; i < pages; i++) {
      /** @type {Listing} */
      const page = await this.request("GET", path, { params: { ...params, limit: 100, cursor } });
      items.push(...page.items);
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    return items;
  }

  // -- the caller's own
  /** @returns {Promise<S["MyAchievementOut"][]>} */
  myAchievements(params) { return this.all("/v1/me/achievements", params); }
  /** @returns {Promise<S["AwardOut"][]>} */
  myAwards() { return this.all("/v1/me/awards"); }
  /** @returns {Promise<S["WalletOut"]>} */
  wallet() { return this.request("GET", "/v1/me/wallet"); }
  /** @returns {Promise<S["CertificateLinkOut"]>} */
  certificateLink(awardId) { return this.request("GET", `/v1/me/awards/${enc(awardId)}/certificate`); }
  /** @returns {Promise<S["FeaturedOut"]>} */
  feature(awardId) { return this.request("PUT", "/v1/me/featured-award", { body: { award_id: awardId } }); }
  unfeature() { return this.request("DELETE", "/v1/me/featured-award"); }
  /** @returns {Promise<S["MessageList"]>} */
  messages(params) { return this.request("GET", "/v1/me/messages", { params }); }
  markRead(messageId) { return this.request("POST", `/v1/me/messages/${enc(messageId)}/read`); }
  sync() { return this.request("POST", "/v1/me/sync"); }
  /** @returns {Promise<S["GoalList"]>} */
  myGoals() { return this.request("GET", "/v1/me/goals"); }
  /** @param {string} goalId @param {S["GoalIn"]} body @returns {Promise<S["GoalOut"]>} */
  putGoal(goalId, body) { return this.request("PUT", `/v1/me/goals/${enc(goalId)}`, { body }); }
  deleteGoal(goalId) { return this.request("DELETE", `/v1/me/goals/${enc(goalId)}`); }
  /** @returns {Promise<S["LeaderboardOut"]>} */
  leaderboard(metricId, params) { return this.request("GET", `/v1/leaderboards/${enc(metricId)}`, { params }); }
  badges() { return this.all("/v1/badges"); }
  /** A built-in family's artwork (public); none for a custom badge ("custom:<id>"). */
  badgeUrl(family, level) {
    return family && !String(family).includes(":") ? `${this.base}/v1/badges/${enc(family)}/${level || 1}.svg` : undefined;
  }

  // -- admins
  /** @returns {Promise<S["SettingsOut"]>} */
  settings() { return this.request("GET", "/v1/admin/settings"); }
  /** @param {S["SettingsIn"]} body @returns {Promise<S["SettingsOut"]>} */
  putSettings(body) { return this.request("PUT", "/v1/admin/settings", { body }); }
  /** @returns {Promise<S["MetricOut"][]>} */
  metrics() { return this.all("/v1/admin/metrics"); }
  /** @param {string} id @param {S["MetricIn"]} body @returns {Promise<S["MetricOut"]>} */
  putMetric(id, body) { return this.request("PUT", `/v1/admin/metrics/${enc(id)}`, { body }); }
  /** @returns {Promise<S["UserOut"]>} */
  user(id) { return this.request("GET", `/v1/admin/users/${enc(id)}`); }
  /** @param {string} id @param {S["UserIn"]} body @returns {Promise<S["UserOut"]>} */
  putUser(id, body) { return this.request("PUT", `/v1/admin/users/${enc(id)}`, { body }); }
  /** @returns {Promise<S["UserAwardOut"][]>} */
  userAwards(id) { return this.all(`/v1/admin/users/${enc(id)}/awards`); }
  userAchievements(id) { return this.all(`/v1/admin/users/${enc(id)}/achievements`); }
  userGoals(id) { return this.request("GET", `/v1/admin/users/${enc(id)}/goals`); }
  syncUser(id) { return this.request("POST", `/v1/admin/users/${enc(id)}/sync`); }
  explain(userId, achievementId) {
    return this.request("GET", `/v1/admin/users/${enc(userId)}/achievements/${enc(achievementId)}/explain`);
  }
  /** @returns {Promise<S["AchievementOut"][]>} */
  achievements() { return this.all("/v1/admin/achievements"); }
  /** @returns {Promise<S["AchievementOut"]>} */
  achievement(id) { return this.request("GET", `/v1/admin/achievements/${enc(id)}`); }
  /** @param {S["AchievementIn"]} body @returns {Promise<S["AchievementOut"]>} */
  createAchievement(body) { return this.request("POST", "/v1/admin/achievements", { body }); }
  editAchievement(id, body) { return this.request("PATCH", `/v1/admin/achievements/${enc(id)}`, { body }); }
  simulate(body) { return this.request("POST", "/v1/admin/achievements/simulate", { body }); }
  /** @returns {Promise<S["HolderList"]>} */
  holders(id, params) { return this.request("GET", `/v1/admin/achievements/${enc(id)}/awards`, { params }); }
  /** @param {string} id @param {S["GiveAwardIn"]} body @returns {Promise<S["HolderOut"]>} */
  give(id, body) { return this.request("POST", `/v1/admin/achievements/${enc(id)}/awards`, { body }); }
  /** @returns {Promise<S["HolderOut"]>} */
  revoke(awardId, reason) { return this.request("POST", `/v1/admin/awards/${enc(awardId)}/revoke`, { body: { reason } }); }
  setExpiry(awardId, validUntil) {
    return this.request("PATCH", `/v1/admin/awards/${enc(awardId)}`, { body: { valid_until: validUntil } });
  }
  refreshDocuments(awardId) { return this.request("POST", `/v1/admin/awards/${enc(awardId)}/refresh-documents`); }
  sequence(id) { return this.request("GET", `/v1/admin/sequences/${enc(id)}`); }
  completion(params) { return this.request("GET", "/v1/admin/reports/completion", { params }); }
  startExport(body) { return this.request("POST", "/v1/admin/exports", { body }); }
  exportStatus(id) { return this.request("GET", `/v1/admin/exports/${enc(id)}`); }
  audit(params) { return this.request("GET", "/v1/admin/audit", { params }); }
  uploadBadge(body) { return this.request("POST", "/v1/admin/badges", { body }); }
  customBadges() { return this.all("/v1/admin/badges"); }
  validateBadge(badgeId) { return this.request("POST", `/v1/admin/badges/${enc(badgeId)}/validate`); }
}

/**
 * The token of an embedded component: its `getToken` property, else the global function its
 * `token-provider` attribute names (window[name]), else none.
 */
export function tokenOf(element) {
  return async () => {
    if (typeof element.getToken === "function") return element.getToken();
    const provider = element.tokenProvider && globalThis[element.tokenProvider];
    if (typeof provider === "function") return provider();
    return null;
  };
}

/** The API client of an embedded component, from its `api-base` and token provider. */
export const apiOf = (element) => new AccoladeApi({ base: element.apiBase || "", getToken: tokenOf(element) });

/** "2026-W48" -> "this week" etc.: the words of a period key's kind. */
export function periodWords(timeRange) {
  return { day: "today", week: "this week", month: "this month", all_time: "" }[timeRange] ?? "";
}

const ROMAN = ["", "I", "II", "III"];
export const roman = (level) => ROMAN[level] ?? String(level);

/** A number as people read it: 4, 4.5, 1,200. */
export const num = (value) => Number(value ?? 0).toLocaleString("en", { maximumFractionDigits: 2 });
