const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The sandbox checkout page: three buttons, and a banner that says no money moves. */
export function sandboxCheckoutPage(checkoutId: string): string {
  const action = `/api/sandbox/checkout/${escapeHtml(checkoutId)}`;
  const button = (outcome: string, label: string) =>
    `<form method="post" action="${action}"><input type="hidden" name="outcome" value="${outcome}"><button>${label}</button></form>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SANDBOX checkout — Marquee</title>
<style>body{font:16px system-ui;max-width:32rem;margin:3rem auto}.banner{background:#fde68a;padding:1rem;border-radius:.5rem}form{display:inline}</style>
</head><body>
<p class="banner"><strong>SANDBOX</strong> — a test checkout. No money moves and no card is asked for.</p>
<h1>Marquee checkout (sandbox)</h1>
<p>Checkout <code>${escapeHtml(checkoutId)}</code></p>
${button('succeed', 'Pay (succeeds)')} ${button('fail', 'Decline (fails)')} ${button('pending', 'Leave pending')}
</body></html>`;
}
