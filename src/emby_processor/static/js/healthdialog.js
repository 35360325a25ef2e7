/* Why the service is healthy, degraded or unhealthy: the header's badge opens this dialog with
 * the checks that set the status and the warnings beside them; a known warning can be
 * acknowledged (it folds away until it changes or recovers), and taken back. */
import { change, describeError } from "./api.js";
import { $, el } from "./dom.js";
import { currentHealth, onHealth, openWarnings, showHealth } from "./health.js";
import { isOpen, showModal, whenNoModal } from "./modals.js";
import { toast } from "./toast.js";

const DIALOG = "health-modal";
const SAYS = {
  healthy: "Everything the service needs works.",
  degraded: "Something the service needs is lost; it goes on with what still works.",
  unhealthy: "The service cannot work until this is fixed.",
};

function row(name, check, button) {
  return el("li", { className: `list-group-item check-${check.status}`, data: { check: name } },
    el("div", { className: "d-flex flex-wrap align-items-center gap-2" },
      el("span", { className: "check-name me-auto", text: name }), button),
    el("div", { className: "check-msg small", text: check.message || "" }));
}

function ackButton(name, acknowledged) {
  return el("button", {
    className: `btn btn-sm ${acknowledged ? "btn-outline-secondary" : "btn-outline-primary"}`,
    text: acknowledged ? "Show again" : "Acknowledge",
    attrs: { type: "button", "aria-label": `${acknowledged ? "Show again" : "Acknowledge"}: ${name}` },
    data: { ack: name, value: acknowledged ? "0" : "1" },
  });
}

function render(health) {
  const checks = health.checks || {};
  const reasons = health.reasons || [];
  const warnings = openWarnings(health);
  const known = Object.entries(checks).filter(([, c]) => c.status !== "ok" && c.acknowledged);
  const parts = [el("p", { className: "fw-semibold", attrs: { id: "health-verdict" }, text: SAYS[health.status] || "" })];
  if (reasons.length) {
    parts.push(el("h3", { className: "h6", text: "Why" }),
      el("ul", { className: "list-group mb-3", attrs: { id: "health-reasons" } },
        ...reasons.map((r) => row(r.check, checks[r.check] || r, null))));
  }
  if (warnings.length) {
    parts.push(el("h3", { className: "h6", text: "Warnings (nothing is lost)" }),
      el("ul", { className: "list-group mb-3", attrs: { id: "health-warnings" } },
        ...warnings.map(([name, c]) => row(name, c, ackButton(name, false)))));
  }
  if (known.length) {
    parts.push(el("h3", { className: "h6", text: "Acknowledged" }),
      el("ul", { className: "list-group mb-3" }, ...known.map(([name, c]) => row(name, c, ackButton(name, true)))));
  }
  if (!reasons.length && !warnings.length && !known.length) parts.push(el("p", { className: "mb-0", text: "Every check is OK." }));
  $("health-modal-title").textContent = `Health: ${health.status}`;
  $("health-modal-body").replaceChildren(...parts);
}

export async function openHealthDialog() {
  await whenNoModal();
  const health = currentHealth();
  if (health) render(health);
  showModal(DIALOG);
}

async function acknowledge(button) {
  const name = button.dataset.ack;
  const acknowledged = button.dataset.value === "1";
  button.disabled = true;
  try {
    const report = await change("/api/health/acknowledge", { body: { check: name, acknowledged } });
    showHealth(report);
    render(report);
    toast(acknowledged ? `${name}: acknowledged; it shows again if it changes.` : `${name} shows again.`, "secondary");
  } catch (error) {
    button.disabled = false;
    toast(`Could not change ${name}: ${describeError(error)}`, "danger");
  }
  if (isOpen(DIALOG)) {
    const again = $("health-modal-body").querySelector(`button[data-ack="${CSS.escape(name)}"]`);
    (again || $(DIALOG)).focus();
  }
}

export function wireHealthDialog() {
  $("overall-status").addEventListener("click", openHealthDialog);
  $("health-modal-body").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-ack]");
    if (button) acknowledge(button);
  });
  onHealth((health) => {
    if (isOpen(DIALOG) && !$("health-modal-body").contains(document.activeElement)) render(health);
  });
}
