// QR scanning: the camera with BarcodeDetector where the browser has it; otherwise (and always
// as a choice) a photo the server decodes (POST /api/scan). The payload is handed back as text;
// nothing is followed here.

import { postForm } from "./api.js";
import { h, newId } from "./dom.js";
import { t } from "./i18n.js";
import { errorBox } from "./ui.js";

const MAX_UPLOAD = 900_000;
const MAX_SIDE = 1600;

export function hasLiveScanner() {
  return "BarcodeDetector" in window && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

/** Shrink a large photo in the browser so it fits the server's body limit. */
async function shrink(file) {
  if (file.size <= MAX_UPLOAD) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob || file), "image/jpeg", 0.9));
}

/** Decode a QR code in an image file through the server. */
export async function decodeImage(file) {
  const form = new FormData();
  form.append("image", await shrink(file), file.name || "photo.jpg");
  const result = await postForm("/api/scan", form);
  return result.payload;
}

/**
 * A scanner widget. onPayload(text) is called with each decoded payload.
 * continuous: keep the camera running after a code is read (career-fair mode).
 */
export function scanner({ onPayload, continuous = false, sticky = true }) {
  const status = h("p", { class: "hint", "aria-live": "polite" });
  const errors = h("div");
  const video = h("video", { class: "scan-video", muted: true, playsinline: true, hidden: true, "aria-label": t("scan.camera-view") });
  video.muted = true;
  let stream = null;
  let timer = 0;
  let lastText = "";
  let lastAt = 0;

  const stop = () => {
    clearInterval(timer);
    timer = 0;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    cameraButton.textContent = t("scan.start-camera");
  };

  const deliver = (text) => {
    const now = Date.now();
    if (text === lastText && now - lastAt < 4000) return; // the same code still in view
    lastText = text;
    lastAt = now;
    onPayload(text);
  };

  const start = async () => {
    errors.replaceChildren();
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      errors.replaceChildren(errorBox(new Error(t("scan.camera-denied"))));
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    cameraButton.textContent = t("scan.stop-camera");
    status.textContent = t("scan.point-camera");
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    timer = setInterval(async () => {
      if (!stream || video.readyState < 2) return;
      try {
        const codes = await detector.detect(video);
        if (codes.length && codes[0].rawValue) {
          if (!continuous) stop();
          deliver(codes[0].rawValue);
        }
      } catch {
        /* a frame that could not be read: try the next one */
      }
    }, 250);
  };

  const cameraButton = h("button", { type: "button", class: "primary", onclick: () => (stream ? stop() : start()) }, t("scan.start-camera"));
  const fileId = newId("photo");
  const fileInput = h("input", {
    type: "file",
    id: fileId,
    accept: "image/*",
    capture: "environment",
    class: "visually-hidden-file",
    onchange: async () => {
      const file = fileInput.files && fileInput.files[0];
      if (!file) return;
      errors.replaceChildren();
      status.textContent = t("scan.reading");
      try {
        const payload = await decodeImage(file);
        status.textContent = "";
        deliver(payload);
      } catch (error) {
        status.textContent = "";
        errors.replaceChildren(errorBox(error));
      } finally {
        fileInput.value = "";
      }
    },
  });
  const photoLabel = h("label", { for: fileId, class: hasLiveScanner() ? "button secondary" : "button primary" }, t("scan.photo"));

  const widget = h(
    "div",
    { class: "scanner" },
    video,
    h("div", { class: sticky ? "scan-buttons actions" : "scan-buttons" }, hasLiveScanner() ? cameraButton : null, fileInput, photoLabel),
    hasLiveScanner() ? null : h("p", { class: "hint" }, t("scan.photo-hint")),
    status,
    errors,
  );
  widget.stop = stop;
  /** Let a following action bar take the bottom of the screen. */
  widget.unstick = () => widget.querySelector(".scan-buttons").classList.remove("actions");
  return widget;
}

/** Sort a scanned payload into what it is (never followed here). */
export function classify(payload) {
  const s = String(payload || "").trim();
  if (/^openid-credential-offer:/i.test(s) || /[?&]credential_offer(_uri)?=/.test(s)) return "offer";
  if (/^(openid4vp|openid|mdoc-openid4vp|haip|eudi-openid4vp):/i.test(s) || /[?&](request_uri|dcql_query|presentation_definition)=/.test(s)) return "request";
  if (/^https?:\/\/[^?#]*\/(exchanges|interactions)\/[^/?#]+/i.test(s) || /^https?:\/\/[^#]*[?&]iuv=1(&|#|$)/i.test(s)) return "request";
  if (/^https?:\/\//i.test(s)) return /\/(s|share)\/[A-Za-z0-9_-]+\/?$/.test(s) ? "share" : "url";
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(~.*)?$/.test(s)) return "jwt";
  if (s.startsWith("{")) return "json";
  return "text";
}

/** The host a URL-like payload points to ("" if none). */
export function payloadHost(payload) {
  try {
    const url = new URL(String(payload).trim());
    if (url.host) return url.host;
    for (const key of ["credential_offer_uri", "request_uri", "client_id", "response_uri"]) {
      const inner = url.searchParams.get(key);
      if (inner && /^https?:/.test(inner)) return new URL(inner).host;
    }
    const offer = url.searchParams.get("credential_offer");
    if (offer) {
      const issuer = JSON.parse(offer).credential_issuer;
      if (issuer) return new URL(issuer).host;
    }
  } catch {
    /* not a URL */
  }
  return "";
}
