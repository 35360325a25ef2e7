/* "Send test notification" in the Actions card: shown only when NOTIFY_URLS is set (the
 * vocabulary's `settings.notifications`; the page never learns the URLs, they hold secrets).
 * The toast says, service by service, whether the message went out or why it did not. */
import { change, describeError } from "./api.js";
import { $ } from "./dom.js";
import { settings } from "./meta.js";
import { toast } from "./toast.js";

/** Apprise can take a while per service (a slow SMTP server): longer than a read. */
const SEND_TIMEOUT_MS = 60000;

/** "Discord: sent. ntfy (ntfy://…/topic): failed: connection refused." — a service's URL
 * (secrets left out by the server) only when two services share a name. */
export function describeDeliveries(deliveries) {
  const counts = new Map();
  for (const d of deliveries) counts.set(d.service, (counts.get(d.service) || 0) + 1);
  return deliveries.map((d) => {
    // Apprise's options (?method=POST&retry=0…) say nothing a person needs here
    const who = counts.get(d.service) > 1 ? `${d.service} (${String(d.url).split("?")[0]})` : d.service;
    const why = String(d.error || "not delivered").replace(/[.\s]+$/, "");
    return d.ok ? `${who}: sent.` : `${who}: failed: ${why}.`;
  }).join(" ");
}

async function sendTest() {
  const button = $("act-notify-test");
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const result = await change("/api/notify/test", { timeoutMs: SEND_TIMEOUT_MS });
    const deliveries = result.deliveries || [];
    const all = deliveries.length > 0 && deliveries.every((d) => d.ok);
    const head = all ? "Test notification sent." : result.sent ? "Test notification sent, not everywhere."
      : "Test notification not sent.";
    toast(`${head} ${describeDeliveries(deliveries)}`.trim(), all ? "success" : result.sent ? "warning" : "danger");
  } catch (error) {
    toast(`Test notification not sent: ${describeError(error)}`, "danger");
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

export function wireNotify() {
  const button = $("act-notify-test");
  button.classList.toggle("d-none", !settings().notifications);
  button.addEventListener("click", sendTest);
}
