"""How the portal and the console (build/web) are served: one definition for CloudFront and `tugi dev`.

In AWS, CloudFront serves build/web from S3 (origin access control) and sends `/v1/*` to the REST API,
so pages and API share one origin; locally the dev server does the same from the folder. Both map a
path to an object the same way (a path ending in `/` is its folder's `index.html`, `..` is nothing),
answer a missing page with `404.html`, and add the same headers.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

WEB_ROOT = Path(__file__).resolve().parents[1] / "build" / "web"
API_PREFIX = "/v1/"
NOT_FOUND_PAGE = "404.html"

# Scripts and styles come from the site's own files only (no inline script, no eval); the API is
# same-origin. Framing is refused: a page's buttons must not be clicked through a disguise.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# Names are stable (the API's article page links /assets/portal.css): pages are always revalidated,
# assets for five minutes; a deploy invalidates the distribution.
PAGE_CACHE_CONTROL = "no-cache"
ASSET_CACHE_CONTROL = "public, max-age=300"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
}


def object_key(path: str) -> str | None:
    """The object a request path names, or None when it names none (a `..`, a NUL)."""
    if not path.startswith("/") or "\x00" in path or "\\" in path:
        return None
    key = path[1:] + ("index.html" if path.endswith("/") else "")
    if ".." in PurePosixPath(key).parts:  # PurePosixPath drops "." itself
        return None
    return key


def cache_control(key: str) -> str:
    return PAGE_CACHE_CONTROL if key.endswith(".html") else ASSET_CACHE_CONTROL


def content_type(key: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(key).suffix, "application/octet-stream")


# The viewer-request function of the distribution's default behaviour: the same rule as `object_key`
# for folders (`/console/` is `/console/index.html`), in the CloudFront Functions runtime's JavaScript.
INDEX_FUNCTION_CODE = """function handler(event) {
  var request = event.request;
  if (request.uri.endsWith('/')) {
    request.uri += 'index.html';
  }
  return request;
}
"""
