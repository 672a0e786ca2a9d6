// The page's own behaviour, loaded once in <head> (space/layout.py). Two jobs:
// 1. Linked tokens: in an .itok-linked box, pointing at (or tapping) a token, a character or an id
//    lights up all three (they share data-i) and writes the token's facts in the box's .itok-info line.
// 2. Links that share: the address keeps the view, the model(s) and the text (space/share.py reads it).
(() => {
  "use strict";
  const itok = (window.itok = window.itok || {});

  // ----- linked tokens ----------------------------------------------------------------------------
  let lit = [];
  function light(el) {
    lit.forEach((x) => x.classList.remove("itok-hl"));
    lit = [];
    const box = el && el.closest(".itok-linked");
    if (!box) return;
    const i = el.dataset.i;
    lit = Array.from(box.querySelectorAll(`[data-i="${i}"]`));
    lit.forEach((x) => x.classList.add("itok-hl"));
    const tok = box.querySelector(`.itok-tok[data-i="${i}"]`);
    const info = box.querySelector(".itok-info");
    if (tok && info) info.textContent = `token ${Number(i) + 1}: “${tok.textContent}” · ${tok.title}`;
  }
  function pointed(e) {
    const el = e.target instanceof Element ? e.target.closest(".itok-linked [data-i]") : null;
    if (el) light(el);
  }
  document.addEventListener("mouseover", pointed);
  document.addEventListener("click", pointed);
  itok.showIds = (on) => document.body.classList.toggle("itok-show-ids", !!on);

  // ----- links that share -------------------------------------------------------------------------
  const SHORT = 600; // characters of an address-encoded text kept as t=; longer goes deflated as z=
  const LONGEST = 8000; // characters of z= beyond which the text is left out of the address
  const state = { view: null, model: null, cmp: null, text: null, omitted: false };
  const start = new URLSearchParams(location.search);
  let keep = { t: start.get("t"), z: start.get("z") }; // the text as it came, until it changes
  ["view", "model", "cmp"].forEach((k) => { if (start.has(k)) state[k] = start.get(k); });

  async function deflate(text) {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let bin = "";
    for (let k = 0; k < bytes.length; k += 0x8000) bin += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  let writes = 0;
  async function write() {
    const mine = ++writes;
    const p = new URLSearchParams();
    if (state.view) p.set("view", state.view);
    if (state.model) p.set("model", state.model);
    if (state.cmp) p.set("cmp", state.cmp);
    state.omitted = false;
    if (state.text !== null) {
      if (encodeURIComponent(state.text).length <= SHORT) p.set("t", state.text);
      else {
        const z = await deflate(state.text);
        if (z.length <= LONGEST) p.set("z", z);
        else state.omitted = true;
      }
    } else if (keep.z) p.set("z", keep.z);
    else if (keep.t !== null) p.set("t", keep.t);
    if (mine !== writes) return; // a later change has written already
    const query = p.toString().replace(/\+/g, "%20");
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  itok.share = (change) => {
    if ("text" in change) keep = { t: null, z: null };
    if (Array.isArray(change.cmp)) change.cmp = change.cmp.join(",");
    Object.assign(state, change);
    return write();
  };
  itok.copyLink = async () => {
    await write();
    const note = document.querySelector("#share-note");
    let copied = false;
    try {
      await navigator.clipboard.writeText(location.href);
      copied = true;
    } catch (e) { /* no clipboard permission (e.g. http): the link is shown to copy by hand */ }
    if (note) {
      const head = copied ? "Link copied" : "Copy this link";
      const tail = state.omitted ? " (the text is too long for a link, so it is left out)" : "";
      note.innerHTML = "";
      const span = document.createElement("span");
      span.textContent = `${head}${tail}: `;
      const link = document.createElement("a");
      link.href = location.href;
      link.textContent = location.href.length > 120 ? location.href.slice(0, 117) + "…" : location.href;
      note.append(span, link);
    }
    return location.href;
  };
})();
