// Sign-in. In AWS: Cognito's hosted UI, authorization code flow with PKCE (oidc-client-ts keeps
// the code_verifier in the browser); config.json, written at deploy, names the user pool and the
// console's client. In `make run` there is no config.json: the local stack prints sign-in links
// carrying a local issuer's token in the URL fragment (never sent to a server).
import { UserManager, WebStorageStateStore } from "oidc-client-ts";

const TOKEN_KEY = "accolade.token";
let config = { apiBase: "" };
let manager = null;

/** The deploy's settings (config.json next to index.html), or local mode when there are none. */
export async function loadConfig() {
  try {
    const response = await fetch(new URL("config.json", document.baseURI));
    if (response.ok) config = { apiBase: "", ...(await response.json()) };
  } catch {
    // No config.json: the local stack serves the console beside the API.
  }
  if (config.cognito) {
    const { authority, clientId } = config.cognito;
    manager = new UserManager({
      authority,
      client_id: clientId,
      redirect_uri: new URL("./", document.baseURI).href,
      post_logout_redirect_uri: new URL("./", document.baseURI).href,
      response_type: "code",
      scope: "openid email profile",
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    });
  }
  return config;
}

export const isCognito = () => manager !== null;

/** Finish a sign-in this page load returns from: a Cognito ?code= or a local #token=. */
export async function completeSignIn() {
  const fragment = new URLSearchParams(location.hash.replace(/^#\/?/, ""));
  if (fragment.get("token")) {
    sessionStorage.setItem(TOKEN_KEY, fragment.get("token"));
    history.replaceState(null, "", location.pathname + "#/");
  }
  const query = new URLSearchParams(location.search);
  if (manager && query.get("code") && query.get("state")) {
    await manager.signinRedirectCallback();
    history.replaceState(null, "", location.pathname + "#/");
  }
}

export async function signIn() {
  if (manager) await manager.signinRedirect();
}

export async function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  if (manager) await manager.removeUser();
}

/** The bearer token: Cognito's ID token (it carries custom:tenant_id and cognito:groups). */
export async function getToken() {
  if (manager) {
    const user = await manager.getUser();
    return user && !user.expired ? user.id_token : null;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The token's claims, read for display and for which pages to offer (the API decides). */
export function claimsOf(token) {
  try {
    const part = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
  } catch {
    return null;
  }
}

export function rolesOf(claims) {
  const roles = [claims?.roles, claims?.["cognito:groups"]].flat().filter(Boolean);
  return new Set(roles);
}

export const apiBase = () => config.apiBase || "";
