// The product page: reads only the API it is served with. Text from the data goes into
// the page as text (textContent), never as HTML.
const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 10;
const COMPONENTS = [
  ['votes', 'Helpful votes'],
  ['substance', 'Detail and originality'],
  ['agreement', 'Stars near the product\'s average'],
  ['consensus', 'Same stars as many buyers'],
  ['verified', 'Verified purchase'],
  ['sentiment', 'Text matches the stars'],
  ['images', 'Photos'],
  ['recency', 'Recent'],
];

const state = { product: null, sort: 'helpful', cursor: null, batch: null };

async function api(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  state.batch = res.headers.get('X-Strata-Batch') || state.batch;
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  return node;
}

const stars = (n) => '★'.repeat(Math.round(n)) + '☆'.repeat(5 - Math.round(n));
const fmt = (n, digits = 1) => (n === null || n === undefined ? '–' : Number(n).toFixed(digits));
const when = (iso) => new Date(iso).toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric' });

function status(text) {
  $('status').textContent = text;
  $('status').hidden = !text;
}

/** Why a review has its score: each component's points, largest first. */
function explanation(r) {
  const parts = COMPONENTS.map(([key, label]) => ({ key, label, points: r[`${key}_points`] ?? 0, value: r[`${key}_component`] ?? 0 })).sort((a, b) => b.points - a.points);
  const table = el('table', { class: 'why', 'aria-label': 'Why this score' });
  for (const p of parts) {
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${Math.min(100, p.points * 1.5)}%`;
    table.append(el('tr', { 'data-component': p.key }, el('th', {}, p.label), el('td', { class: 'points' }, `+${fmt(p.points)}`), el('td', { class: 'track' }, bar)));
  }
  return el('details', { class: 'explain' }, el('summary', {}, `Helpfulness ${fmt(r.helpfulness_score)} / 100 — why?`), table,
    el('p', { class: 'muted' }, `${r.helpful_votes} of ${r.total_votes} found it helpful; without the votes it would score ${fmt(r.content_score)}.`));
}

function reviewCard(r, tag = 'li') {
  return el(tag, { class: 'review', 'data-review-id': String(r.review_id), 'data-score': String(r.helpfulness_score) },
    el('p', { class: 'rating' }, el('span', { class: 'stars', 'aria-label': `${r.rating} of 5 stars` }, stars(r.rating)), ' ', el('strong', {}, r.title || '(no title)')),
    el('p', { class: 'meta' }, `${r.reviewer_name || 'A customer'} · ${when(r.reviewed_at)}`, r.verified_purchase ? el('span', { class: 'badge' }, 'Verified purchase') : null),
    el('p', { class: 'text' }, r.body || ''),
    el('p', { class: 'score' }, el('span', { class: 'score-value' }, fmt(r.helpfulness_score)), ' helpfulness', r.image_count ? ` · ${r.image_count} photo${r.image_count > 1 ? 's' : ''}` : ''),
    explanation(r),
  );
}

async function showTop(id, slot) {
  const body = slot.querySelector('.body');
  body.replaceChildren();
  if (!id) {
    body.append(el('p', { class: 'muted' }, 'None yet.'));
    return;
  }
  const { data } = await api(`/api/reviews/${encodeURIComponent(id)}`);
  body.append(reviewCard(data, 'div'));
}

async function loadReviews(reset) {
  if (reset) {
    state.cursor = null;
    $('reviews').replaceChildren();
  }
  const q = new URLSearchParams({ sort: state.sort, limit: String(PAGE_SIZE) });
  if (state.cursor) q.set('cursor', state.cursor);
  const page = await api(`/api/products/${encodeURIComponent(state.product)}/reviews?${q}`);
  for (const r of page.data) $('reviews').append(reviewCard(r));
  state.cursor = page.next_cursor;
  $('more').hidden = !state.cursor;
  if (reset && page.data.length === 0) $('reviews').append(el('li', { class: 'muted' }, 'No reviews on this side yet.'));
  $('batch').textContent = `Data from batch ${state.batch}`;
}

async function showProduct(id) {
  state.product = id;
  status('Loading…');
  const { data: p } = await api(`/api/products/${encodeURIComponent(id)}`);
  $('title').textContent = p.title;
  $('brand').textContent = p.brand ? `by ${p.brand}` : '';
  $('category').textContent = p.category || '';
  $('price').textContent = p.price === null ? '' : `$${fmt(p.price, 2)}`;
  $('avg').textContent = fmt(p.avg_rating);
  $('avg-stars').textContent = stars(p.avg_rating || 0);
  $('count').textContent = `${p.review_count} review${p.review_count === 1 ? '' : 's'}`;
  $('bayes').textContent = `Bayesian average ${fmt(p.bayes_avg_rating, 2)}`;
  $('verified').textContent = `${Math.round((p.verified_share || 0) * 100)}% verified purchases`;
  const hist = $('histogram');
  hist.replaceChildren();
  for (const n of [5, 4, 3, 2, 1]) {
    const count = p[`ratings_${n}`] || 0;
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${p.review_count ? (100 * count) / p.review_count : 0}%`;
    hist.append(el('tr', {}, el('th', {}, `${n} star`), el('td', { class: 'track' }, bar), el('td', {}, String(count))));
  }
  await Promise.all([showTop(p.top_positive_review_id, $('top-positive')), showTop(p.top_critical_review_id, $('top-critical')), loadReviews(true)]);
  $('product-view').hidden = false;
  status('');
  history.replaceState(null, '', `#product=${encodeURIComponent(id)}`);
}

async function fillPicker(q) {
  const params = new URLSearchParams({ limit: '50' });
  if (q) params.set('q', q);
  const { data } = await api(`/api/products?${params}`);
  const select = $('product');
  select.replaceChildren(...data.map((p) => el('option', { value: p.product_id }, `${p.title} (${p.review_count} reviews, ${fmt(p.avg_rating)}★)`)));
  return data;
}

async function run(fn) {
  try {
    await fn();
  } catch (err) {
    status(`Sorry: ${err.message}`);
  }
}

addEventListener('DOMContentLoaded', () =>
  run(async () => {
    const wanted = new URLSearchParams(location.hash.slice(1)).get('product');
    const products = await fillPicker('');
    if (products.length === 0 && !wanted) return status('No products are published yet.');
    const first = wanted || products[0].product_id;
    if ([...$('product').options].some((o) => o.value === first)) $('product').value = first;
    await showProduct(first);
    $('product').addEventListener('change', () => run(() => showProduct($('product').value)));
    $('sort').addEventListener('change', () => run(() => ((state.sort = $('sort').value), loadReviews(true))));
    $('more').addEventListener('click', () => run(() => loadReviews(false)));
    let timer;
    $('search').addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => run(async () => {
        const found = await fillPicker($('search').value.trim());
        if (found.length > 0) await showProduct(found[0].product_id);
        else status('No product matches.');
      }), 250);
    });
    $('picker').addEventListener('submit', (e) => e.preventDefault());
  }),
);
