// The page's only way to the server: JSON over fetch, the token in X-FFNN-Token.
//
// Every failure becomes an ApiError {status, code, message}: status 0 and code "lost"
// when the server does not answer at all, else the server's {"error", "code"}.

const REQUEST_TIMEOUT_MS = 60000;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** The token of this page: ?token= of its own address ("" when absent). */
export function pageToken() {
  return new URLSearchParams(location.search).get("token") ?? "";
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  async request(method, path, body = undefined, contentType = "application/json") {
    const headers = { "X-FFNN-Token": this.token };
    let payload;
    if (body !== undefined) {
      headers["Content-Type"] = contentType;
      payload = contentType === "application/json" ? JSON.stringify(body) : body;
    }
    let response;
    // a server that stopped answering must not hold the page's queue of actions forever
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      response = await fetch(path, { method, headers, body: payload, cache: "no-store", signal: abort.signal });
    } catch (err) {
      throw new ApiError(0, "lost", String(err && err.message ? err.message : err));
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      let code = `http_${response.status}`;
      let message = response.statusText || `HTTP ${response.status}`;
      try {
        const data = await response.json();
        if (data && typeof data.error === "string") message = data.error;
        if (data && typeof data.code === "string") code = data.code;
      } catch {
        // not JSON: keep the status line
      }
      if (response.status === 403 && code === "http_403") code = "bad_token";
      if (response.status === 413 && code === "http_413") code = "too_large";
      throw new ApiError(response.status, code, message);
    }
    return response;
  }

  async json(method, path, body = undefined) {
    const response = await this.request(method, path, body);
    try {
      return await response.json();
    } catch (err) {
      throw new ApiError(response.status, "bad_json", String(err.message || err));
    }
  }

  state() {
    return this.json("GET", "/api/state");
  }

  frame() {
    return this.json("GET", "/api/frame");
  }

  config(partial) {
    return this.json("POST", "/api/config", partial);
  }

  preset(name) {
    return this.json("POST", "/api/preset", { name });
  }

  run(action) {
    return this.json("POST", "/api/run", { action });
  }

  explain() {
    return this.json("POST", "/api/explain", {});
  }

  async upload(file) {
    const bytes = await file.arrayBuffer();
    const path = `/api/upload?name=${encodeURIComponent(file.name)}`;
    const response = await this.request("POST", path, bytes, "text/csv");
    return response.json();
  }

  /** Fetch path with the token and save it through a Blob and an <a download>. */
  async download(path, fallbackName) {
    const response = await this.request("GET", path);
    const blob = await response.blob();
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="?([^";]+)"?/.exec(disposition);
    const name = match ? match[1] : fallbackName;
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    return name;
  }
}
