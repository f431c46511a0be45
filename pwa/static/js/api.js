// Talking to the Satchel server: JSON in and out, problem+json errors, CSRF on state changes.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || (this.problem.type || "").split("/").pop() || "";
  }
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** The CSRF token the wallet expects in x-csrftoken (its cookie, fetched once when missing). */
async function csrfToken(refresh) {
  const existing = cookie("csrftoken");
  if (existing && !refresh) return existing;
  try {
    const response = await fetch("/api/wallet/csrf", { credentials: "same-origin", headers: { accept: "application/json" } });
    if (response.ok) {
      const body = await response.json();
      return cookie("csrftoken") || body.token || body.csrf_token || "";
    }
  } catch {
    /* offline: the request itself will report it */
  }
  return existing || "";
}

/** Tell the app whether the last answer came from the network (false) or not (true). */
function connectivity(offline) {
  window.dispatchEvent(new CustomEvent("satchel:offline", { detail: offline }));
}

/**
 * request("POST", "/api/x", {json: {...}}) -> {data, response, offline, syncedAt}
 * options: json (body), form (FormData), accept, headers, raw (the body as a Blob).
 */
export async function request(method, path, options = {}) {
  const headers = { accept: options.accept || "application/json", ...(options.headers || {}) };
  let body;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  const changes = !["GET", "HEAD"].includes(method);
  if (changes) headers["x-csrftoken"] = await csrfToken(false);
  let response;
  try {
    response = await fetch(path, { method, headers, body, credentials: "same-origin", signal: options.signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    connectivity(true);
    throw new ApiError(0, { code: "network", detail: "" });
  }
  const offline = response.headers.get("x-satchel-offline") === "1";
  connectivity(offline);
  if (changes && response.status === 403 && !options.retried) {
    const text = await response.clone().text();
    if (/csrf/i.test(text)) {
      await csrfToken(true);
      return request(method, path, { ...options, retried: true });
    }
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    throw new ApiError(response.status, problem);
  }
  const syncedAt = response.headers.get("x-satchel-synced-at");
  let data = null;
  if (options.raw) data = await response.blob();
  else if (response.status !== 204) {
    const type = response.headers.get("content-type") || "";
    data = type.includes("json") ? await response.json() : await response.text();
  }
  return { data, response, offline, syncedAt };
}

/** GET JSON (data only). */
export async function get(path) {
  return (await request("GET", path)).data;
}

/** POST JSON (data only). */
export async function post(path, json) {
  return (await request("POST", path, { json: json === undefined ? {} : json })).data;
}

/** DELETE (data only). */
export async function del(path) {
  return (await request("DELETE", path)).data;
}

/** POST multipart form data (data only). */
export async function postForm(path, form) {
  return (await request("POST", path, { form })).data;
}

/** The signed-in learner, or null. */
export async function me() {
  try {
    return await get("/api/wallet/me");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 404)) return null;
    throw error;
  }
}
