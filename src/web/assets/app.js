/*
 * The staff dashboard: a page per hash (#/home, #/calls, #/agenda...), built with DOM
 * calls (never innerHTML with data), every text from i18n/LANG.json, every change sent
 * with the session's CSRF token in X-CSRF-Token.
 */
'use strict';

(function () {
  const state = { lang: 'fr', messages: {}, session: null, stream: null, timers: [] };

  /* ---- Text ---- */

  function t(key, vars) {
    let text = state.messages[key];
    if (text === undefined) text = key;
    if (vars) {
      for (const name of Object.keys(vars)) text = text.split('{' + name + '}').join(String(vars[name]));
    }
    return text;
  }

  async function loadMessages(lang) {
    const response = await fetch('i18n/' + lang + '.json', { cache: 'no-cache' });
    state.messages = await response.json();
    state.lang = lang;
    document.documentElement.lang = lang;
    try { localStorage.setItem('permanence.lang', lang); } catch (e) { /* private mode */ }
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    const other = lang === 'fr' ? 'en' : 'fr';
    const button = document.getElementById('lang-switch');
    button.textContent = other === 'en' ? 'English' : 'Français';
    button.lang = other;
  }

  /* ---- DOM ---- */

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (name === 'class') node.className = value;
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function field(label, input, extra) {
    return h('label', extra || {}, label, input);
  }

  function say(text, isError) {
    const node = document.getElementById('status');
    node.className = 'status' + (isError ? ' error' : '');
    node.setAttribute('role', isError ? 'alert' : 'status');
    node.textContent = text || '';
  }

  function main() { return document.getElementById('main'); }

  function show(...nodes) {
    const node = main();
    node.replaceChildren(...nodes);
  }

  /* ---- Dates, numbers, words ---- */

  /* "2026-03-30T08:30:00+02:00" is shown in the practice's time as sent. */
  function hm(iso) { return iso ? iso.slice(11, 16) : ''; }
  function day(iso) { return iso ? iso.slice(0, 10) : ''; }
  function dateLabel(isoDay, long) {
    const [y, m, d] = isoDay.split('-').map(Number);
    const date = new Date(Date.UTC(y, m - 1, d));
    const options = long ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }
      : { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' };
    return date.toLocaleDateString(state.lang === 'fr' ? 'fr-FR' : 'en-GB', options);
  }
  function when(iso) { return iso ? dateLabel(day(iso), false) + ' ' + hm(iso) : ''; }
  function addDays(isoDay, n) {
    const [y, m, d] = isoDay.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
  }
  function mondayOf(isoDay) {
    const [y, m, d] = isoDay.split('-').map(Number);
    const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
    return addDays(isoDay, -weekday);
  }
  // Return the practice's day (its time zone comes with the session), else the browser's.
  function today() {
    const now = new Date();
    const zone = state.session && state.session.timezone;
    if (zone) {
      try {
        return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
      } catch (e) {
        // A zone the browser does not know: its own day below.
      }
    }
    return new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())).toISOString().slice(0, 10);
  }
  function duration(seconds) {
    const s = Math.round(seconds);
    return Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s';
  }
  function nationalNumber(e164) {
    if (/^\+33\d{9}$/.test(e164)) return ('0' + e164.slice(3)).replace(/(\d{2})(?=\d)/g, '$1 ');
    return e164;
  }
  function telLink(number) {
    if (!number) return h('span', { class: 'empty' }, t('number_hidden'));
    return h('a', { class: 'tel', href: 'tel:' + number, 'aria-label': t('call_number', { number: nationalNumber(number) }) },
      nationalNumber(number));
  }
  function urgencyBadge(urgency) {
    const level = urgency || 'none';
    return h('span', { class: 'badge ' + level }, t('urgency_' + level));
  }
  function priorityBadge(priority) {
    const names = ['emergency', 'urgent', 'normal'];
    return h('span', { class: 'badge ' + names[priority] }, t('priority_' + names[priority]));
  }
  function word(prefix, value) {
    const key = prefix + value;
    return state.messages[key] !== undefined ? t(key) : (value || '—');
  }
  function patientName(p) { return p ? (p.first_name + ' ' + p.last_name).trim() : ''; }

  /* ---- API ---- */

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || String(status));
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && state.session) headers['X-CSRF-Token'] = state.session.csrf_token;
    const response = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401 && path !== '/session') {
      state.session = null;
      renderLogin(t('session_expired'));
      throw new ApiError(401, data);
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  /* The message for a failed request, translated where the code is known. */
  function errorText(error) {
    const e = (error.body && error.body.error) || {};
    if (e.code === 'refused' && e.messages) return e.messages[state.lang] || e.message;
    if (e.code === 'invalid_settings' && e.messages) return t('error_invalid_settings') + ' ' + (e.messages[state.lang] || e.message);
    if (e.code === 'locked') return t('error_locked', { minutes: Math.ceil((e.retry_after_s || 60) / 60) });
    if (e.code === 'invalid_credentials') return t('error_credentials', { left: e.attempts_left });
    const known = 'error_' + e.code;
    if (state.messages[known] !== undefined) {
      return e.code === 'invalid_settings' || e.code === 'invalid_user' || e.code === 'conflict'
        ? t(known) + ' ' + e.message : t(known);
    }
    return t('error_generic') + (e.message ? ' (' + e.message + ')' : '');
  }

  async function attempt(action, doneText) {
    try {
      const result = await action();
      if (doneText) say(doneText);
      return result;
    } catch (error) {
      if (error.status !== 401) say(errorText(error), true);
      return null;
    }
  }

  /* ---- Session ---- */

  function role() { return state.session ? state.session.user.role : ''; }
  function isStaff() { return role() === 'admin' || role() === 'secretary'; }

  function renderLogin(message) {
    stopLive();
    document.getElementById('nav').hidden = true;
    document.getElementById('logout').hidden = true;
    document.getElementById('who').textContent = '';
    const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
    const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const form = h('form', {
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          state.session = await api('POST', '/session', { username: user.value, password: password.value });
          say('');
          startApp();
        } catch (error) {
          say(errorText(error), true);
          password.value = '';
          password.focus();
        }
      },
    },
    field(t('username'), user), field(t('password'), password),
    h('button', { type: 'submit' }, t('login')),
    h('p', { class: 'hint' }, t('lockout_hint')));
    show(h('section', { class: 'login panel', 'aria-labelledby': 'login-title' },
      h('h1', { id: 'login-title' }, t('login_title')), form));
    if (message) say(message, true);
    user.focus();
  }

  const pages = [
    { hash: '#/home', key: 'nav_home', roles: ['admin', 'secretary', 'practitioner'], render: renderHome },
    { hash: '#/calls', key: 'nav_calls', roles: ['admin', 'secretary'], render: renderCalls },
    { hash: '#/agenda', key: 'nav_agenda', roles: ['admin', 'secretary', 'practitioner'], render: renderAgenda },
    { hash: '#/stats', key: 'nav_stats', roles: ['admin', 'secretary'], render: renderStats },
    { hash: '#/settings', key: 'nav_settings', roles: ['admin'], render: renderSettings },
    { hash: '#/users', key: 'nav_users', roles: ['admin'], render: renderUsers },
    { hash: '#/audit', key: 'nav_audit', roles: ['admin'], render: renderAudit },
  ];

  function renderNav() {
    const nav = document.getElementById('nav');
    nav.setAttribute('aria-label', t('menu'));
    nav.replaceChildren(...pages.filter((p) => p.roles.includes(role()))
      .map((p) => h('a', { href: p.hash, 'data-page': p.hash }, t(p.key))));
    nav.hidden = false;
    const user = state.session.user;
    document.getElementById('who').textContent = (user.display_name || user.username) + ' · ' + t('role_' + user.role);
    document.getElementById('logout').hidden = false;
  }

  function startApp() {
    renderNav();
    if (!location.hash || location.hash === '#/' || location.hash === '#') location.hash = '#/home';
    else route();
  }

  function stopLive() {
    if (state.stream) { state.stream.close(); state.stream = null; }
    for (const id of state.timers) clearInterval(id);
    state.timers = [];
  }

  function route() {
    if (!state.session) return;
    stopLive();
    say('');
    const hash = location.hash || '#/home';
    for (const link of document.querySelectorAll('#nav a')) {
      if (hash.startsWith(link.dataset.page)) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const callMatch = hash.match(/^#\/calls\/(.+)$/);
    if (callMatch && isStaff()) { renderCall(decodeURIComponent(callMatch[1])); return; }
    const page = pages.find((p) => p.hash === hash && p.roles.includes(role())) || pages[0];
    page.render();
    main().focus();
  }

  /* ---- Home: live calls and tasks ---- */

  function renderHome() {
    const liveList = h('div', { id: 'live-list', 'aria-live': 'polite' }, h('p', { class: 'live-empty' }, t('loading')));
    const taskList = h('div', { id: 'task-list' });
    const showAll = h('input', { type: 'checkbox', id: 'show-done', onchange: () => loadTasks(taskList, showAll.checked) });
    show(
      h('h1', {}, t('home_title')),
      isStaff() ? h('section', { class: 'panel', 'aria-labelledby': 'live-title' },
        h('h2', { id: 'live-title' }, t('live_title')), liveList) : null,
      h('section', { class: 'panel', 'aria-labelledby': 'tasks-title' },
        h('div', { class: 'row' }, h('h2', { id: 'tasks-title' }, t('tasks_title')),
          h('label', { class: 'inline' }, showAll, t('show_done'))),
        taskList));
    if (isStaff()) startLive(liveList);
    loadTasks(taskList, false);
  }

  function renderLive(list, calls) {
    const order = { emergency: 0, urgent: 1, none: 2 };
    calls.sort((a, b) => (order[a.urgency] ?? 2) - (order[b.urgency] ?? 2) || a.started_utc - b.started_utc);
    if (!calls.length) {
      list.replaceChildren(h('p', { class: 'live-empty' }, t('live_none')));
      return;
    }
    const now = Date.now() / 1000;
    list.replaceChildren(...calls.map((c) => h('article', { class: 'live-call ' + c.urgency, 'data-call': c.call_id },
      h('div', {}, urgencyBadge(c.urgency)),
      h('div', {},
        h('strong', {}, word('state_', c.state)), ' · ', telLink(c.caller_number), ' · ', c.lang.toUpperCase(),
        h('div', {}, c.understood ? t('understood', { text: c.understood }) : t('understood_nothing'))),
      h('div', { class: 'hours' }, t('since_minutes', { minutes: Math.max(0, Math.floor((now - c.started_utc) / 60)) })))));
  }

  function startLive(list) {
    const source = new EventSource('/api/v1/live/stream');
    state.stream = source;
    source.addEventListener('snapshot', (event) => renderLive(list, JSON.parse(event.data).calls));
    source.onerror = async () => {
      /* The server ends a stream every few minutes; check the session before it reconnects. */
      try { await api('GET', '/session'); } catch (e) { source.close(); }
    };
  }

  async function loadTasks(list, all) {
    const data = await attempt(() => api('GET', '/tasks?status=' + (all ? 'all' : 'open')));
    if (!data) return;
    if (!data.tasks.length) {
      list.replaceChildren(h('p', { class: 'empty' }, t('tasks_none')));
      return;
    }
    list.replaceChildren(...data.tasks.map((task) => taskCard(task, list, all)));
  }

  function taskCard(task, list, all) {
    const done = task.status === 'done';
    const update = async (body, message) => {
      if (await attempt(() => api('PATCH', '/tasks/' + task.id, body), message)) loadTasks(list, all);
    };
    return h('article', { class: 'task p' + task.priority, 'data-task': task.id },
      h('div', {},
        h('div', {}, priorityBadge(task.priority), ' ', h('strong', {}, word('kind_', task.kind)),
          done ? [' ', h('span', { class: 'badge done' }, t('status_done'))] : null),
        h('p', {}, task.summary),
        h('div', { class: 'meta' },
          task.patient ? t('patient_label', { name: patientName(task.patient) }) + ' · ' : '',
          t('created_at', { when: when(task.created) }),
          task.assignee ? ' · ' + t('assigned_to', { name: task.assignee }) : '',
          task.call_id && isStaff() ? [' · ', h('a', { href: '#/calls/' + encodeURIComponent(task.call_id) }, t('see_call'))] : null)),
      h('div', { class: 'actions' },
        telLink(task.caller_number),
        !done && task.assignee !== state.session.user.username
          ? h('button', { type: 'button', class: 'secondary', onclick: () => update({ assignee: state.session.user.username }, t('task_taken')) }, t('take_task')) : null,
        !done ? h('button', { type: 'button', onclick: () => update({ status: 'done' }, t('task_done')) }, t('mark_done'))
          : h('button', { type: 'button', class: 'secondary', onclick: () => update({ status: 'open' }, t('task_reopened')) }, t('reopen'))));
  }

  /* ---- Call log ---- */

  function renderCalls() {
    const inputs = {
      from: h('input', { type: 'date', name: 'from' }),
      to: h('input', { type: 'date', name: 'to' }),
      outcome: h('select', { name: 'outcome' }, h('option', { value: '' }, t('any')),
        ['booked', 'cancelled', 'moved', 'answered', 'task', 'transferred', 'emergency', 'abandoned', 'failed']
          .map((o) => h('option', { value: o }, word('outcome_', o)))),
      urgency: h('select', { name: 'urgency' }, h('option', { value: '' }, t('any')),
        ['emergency', 'urgent', 'none'].map((u) => h('option', { value: u }, t('urgency_' + u)))),
      q: h('input', { type: 'search', name: 'q', maxlength: 200 }),
    };
    const results = h('div', { 'aria-live': 'polite' });
    let offset = 0;
    const load = async () => {
      const params = new URLSearchParams();
      for (const [name, input] of Object.entries(inputs)) if (input.value) params.set(name, input.value);
      params.set('limit', '50');
      params.set('offset', String(offset));
      const data = await attempt(() => api('GET', '/calls?' + params));
      if (data) results.replaceChildren(callTable(data, offset, (next) => { offset = next; load(); }));
    };
    const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); offset = 0; load(); } },
      field(t('from'), inputs.from), field(t('to'), inputs.to), field(t('outcome'), inputs.outcome),
      field(t('urgency'), inputs.urgency), field(t('search_text'), inputs.q),
      h('button', { type: 'submit' }, t('filter')));
    show(h('h1', {}, t('calls_title')), h('div', { class: 'panel' }, form, results));
    load();
  }

  function callTable(data, offset, go) {
    if (!data.calls.length) return h('p', { class: 'empty' }, t('calls_none'));
    const rows = data.calls.map((c) => h('tr', {},
      h('td', {}, h('a', { href: '#/calls/' + encodeURIComponent(c.id) }, when(c.started))),
      h('td', {}, telLink(c.caller_number)),
      h('td', {}, urgencyBadge(c.urgency)),
      h('td', {}, word('outcome_', c.outcome)),
      h('td', {}, c.reason ? word('intent_', c.intent) + ' (' + c.reason + ')' : word('intent_', c.intent)),
      h('td', {}, duration(c.duration_s))));
    return h('div', {},
      h('p', {}, t('calls_count', { total: data.total })),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, [t('when'), t('number'), t('urgency'), t('outcome'), t('reason'), t('duration')]
          .map((name) => h('th', { scope: 'col' }, name)))),
        h('tbody', {}, rows))),
      h('div', { class: 'pager' },
        h('button', { type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => go(Math.max(0, offset - 50)) }, t('previous')),
        h('button', { type: 'button', class: 'secondary', disabled: offset + 50 >= data.total, onclick: () => go(offset + 50) }, t('next'))));
  }

  /* Build the summary line of a call: the request and its reason. */
  function summaryLine(call, summary) {
    if (summary.text) return summary.text;
    const intent = summary.intent || call.intent;
    const reason = summary.reason || call.reason;
    if (!intent || intent === 'none') return reason || t('no_summary');
    return reason ? t('summary_line_reason', { intent: word('intent_', intent), reason })
      : t('summary_line', { intent: word('intent_', intent) });
  }

  /* Describe one action of the session's record ({kind: "book", ...}). */
  function actionLine(a) {
    if (typeof a === 'string') return word('action_', a);
    switch (a.kind) {
      case 'book': return t('action_book_at', { when: when(a.start), practitioner: a.practitioner || '—' });
      case 'move': return t('action_move_at', { when: when(a.start), practitioner: a.practitioner || '—' });
      case 'cancel': return t('action_cancel_at', { when: when(a.start) });
      case 'task': return t('action_task_kind', { kind: word('kind_', a.task_kind) });
      case 'transfer': return t(a.result === 'ok' ? 'action_transfer_ok' : 'action_transfer_failed');
      case 'answer': return t('action_answer_topic', { topic: word('intent_', a.topic) });
      default: return word('action_', a.kind);
    }
  }

  /* Render a transcript line: the words, or the event (keys, silence, hang-up). */
  function turnText(turn) {
    if (turn.text && turn.kind !== 'digits' && turn.kind !== 'transfer_result') return turn.text;
    if (turn.kind === 'digits') return t('transcript_digits', { digits: turn.text || '' });
    if (turn.kind === 'transfer_result') return t('transcript_transfer_result', { text: turn.text || '' });
    return state.messages['transcript_' + turn.kind] !== undefined ? t('transcript_' + turn.kind) : '(' + turn.kind + ')';
  }

  async function renderCall(id) {
    const call = await attempt(() => api('GET', '/calls/' + encodeURIComponent(id)));
    if (!call) return;
    const summary = call.summary || {};
    const cues = summary.urgency_cues || (summary.urgency && summary.urgency.cues) || summary.cues || [];
    const actions = summary.actions || [];
    const transcript = Array.isArray(call.transcript) ? call.transcript : [];
    show(
      h('p', {}, h('a', { href: '#/calls' }, t('back_to_calls'))),
      h('h1', {}, t('call_title', { when: when(call.started) })),
      h('div', { class: 'grid-2' },
        h('section', { class: 'panel' },
          h('h2', {}, t('summary')),
          h('p', {}, urgencyBadge(call.urgency), ' ', word('outcome_', call.outcome), ' · ', duration(call.duration_s)),
          h('p', {}, summaryLine(call, summary)),
          h('p', {}, t('caller'), ' ', telLink(call.caller_number), call.patient ? ' · ' + patientName(call.patient) : ''),
          cues.length ? [h('h3', {}, t('urgency_cues')), h('ul', {}, cues.map((c) => h('li', {}, typeof c === 'string' ? c : c.text)))] : null,
          actions.length ? [h('h3', {}, t('actions')), h('ul', {}, actions.map((a) => h('li', {}, actionLine(a))))] : null,
          call.tasks.length ? [h('h3', {}, t('tasks_title')), call.tasks.map((task) => taskCard(task, h('div'), false))] : null),
        h('section', { class: 'panel' },
          h('h2', {}, t('transcript')),
          transcript.length ? h('ol', { class: 'transcript' }, transcript.map((turn) =>
            h('li', { class: turn.speaker === 'caller' ? 'caller' : 'assistant' },
              h('span', { class: 'speaker' }, word('speaker_', turn.speaker)), turnText(turn))))
            : h('p', { class: 'empty' }, t('no_transcript')))));
  }

  /* ---- Agenda ---- */

  const agendaView = { day: null, week: true, practitioner: 0 };

  async function renderAgenda() {
    const [practitioners, types] = await Promise.all([
      attempt(() => api('GET', '/practitioners')), attempt(() => api('GET', '/appointment-types'))]);
    if (!practitioners || !types) return;
    const people = practitioners.practitioners.filter((p) => p.active);
    if (role() === 'practitioner') agendaView.practitioner = state.session.user.practitioner_id;
    else if (!agendaView.practitioner && people.length) agendaView.practitioner = people[0].id;
    if (!agendaView.day) agendaView.day = today();

    const who = h('select', { id: 'agenda-practitioner', disabled: role() === 'practitioner',
      onchange: () => { agendaView.practitioner = Number(who.value); load(); } },
    people.map((p) => h('option', { value: p.id, selected: p.id === agendaView.practitioner }, p.name)));
    const date = h('input', { type: 'date', id: 'agenda-day', value: agendaView.day,
      onchange: () => { if (date.value) { agendaView.day = date.value; load(); } } });
    const mode = h('select', { id: 'agenda-mode', onchange: () => { agendaView.week = mode.value === 'week'; load(); } },
      h('option', { value: 'day', selected: !agendaView.week }, t('view_day')),
      h('option', { value: 'week', selected: agendaView.week }, t('view_week')));
    const step = (n) => { agendaView.day = addDays(agendaView.day, agendaView.week ? 7 * n : n); date.value = agendaView.day; load(); };
    const days = h('div', { class: 'agenda-days', 'aria-live': 'polite' });
    const booking = bookingForm(types.types, load);

    show(h('h1', {}, t('agenda_title')),
      h('div', { class: 'panel row' },
        field(t('practitioner'), who), field(t('day'), date), field(t('view'), mode),
        h('button', { type: 'button', class: 'secondary', onclick: () => step(-1) }, t('previous')),
        h('button', { type: 'button', class: 'secondary', onclick: () => { agendaView.day = today(); date.value = agendaView.day; load(); } }, t('today')),
        h('button', { type: 'button', class: 'secondary', onclick: () => step(1) }, t('next'))),
      days, booking.node);

    async function load() {
      const from = agendaView.week ? mondayOf(agendaView.day) : agendaView.day;
      const count = agendaView.week ? 7 : 1;
      const data = await attempt(() => api('GET', '/agenda?from=' + from + '&days=' + count + '&practitioner=' + agendaView.practitioner));
      if (!data) return;
      booking.setPractitioner(agendaView.practitioner, from);
      const columns = [];
      for (let i = 0; i < count; i++) {
        const d = addDays(from, i);
        const weekday = ((new Date(d + 'T12:00:00Z').getUTCDay() + 6) % 7) + 1;
        const windows = data.openings.filter((o) => o.weekday === weekday && o.practitioner_id === agendaView.practitioner);
        const appts = data.appointments.filter((a) => day(a.start) === d);
        const away = data.absences.filter((a) => day(a.start) <= d && day(a.end) >= d);
        if (agendaView.week && !windows.length && !appts.length) continue;
        columns.push(h('section', { class: 'agenda-day', 'aria-label': dateLabel(d, true) },
          h('h3', {}, dateLabel(d, false)),
          h('div', { class: 'hours' }, windows.length
            ? windows.map((w) => minutes(w.start_min) + '–' + minutes(w.end_min)).join(', ') : t('closed')),
          away.map((a) => h('div', { class: 'absence' }, t('absent'), a.reason ? ' : ' + a.reason : '')),
          appts.length ? appts.map((a) => appointmentBlock(a, types.types, load)) : h('p', { class: 'empty' }, t('no_appointments'))));
      }
      days.replaceChildren(...(columns.length ? columns : [h('p', { class: 'empty' }, t('no_appointments'))]));
    }
    load();
  }

  function minutes(m) { return String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0'); }

  function typeLabel(a) { return state.lang === 'fr' ? a.type_label_fr : a.type_label_en; }

  function appointmentBlock(a, types, reload) {
    const box = h('div', { class: 'appt' + (a.urgent ? ' urgent' : ''), 'data-appointment': a.id },
      h('strong', {}, hm(a.start) + '–' + hm(a.end)), ' ', typeLabel(a),
      h('div', {}, patientName(a.patient), a.patient && a.patient.phone ? [' · ', telLink(a.patient.phone)] : null),
      a.reason ? h('div', { class: 'hours' }, a.reason) : null);
    const actions = h('div', { class: 'appt-actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => moveChooser() }, t('move')),
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(t('confirm_cancel', { who: patientName(a.patient), when: when(a.start) }))) return;
        if (await attempt(() => api('DELETE', '/appointments/' + a.id), t('cancelled'))) reload();
      } }, t('cancel')));
    box.append(actions);
    async function moveChooser() {
      const data = await attempt(() => api('GET', '/slots?type=' + encodeURIComponent(a.type) + '&practitioner=' + a.practitioner_id + '&days=30&max=12'));
      if (!data) return;
      const list = h('div', { class: 'slots', role: 'group', 'aria-label': t('choose_new_time') },
        data.slots.length ? data.slots.map((s) => h('button', { type: 'button', onclick: async () => {
          if (await attempt(() => api('POST', '/appointments/' + a.id + '/move', { start: s.start }), t('moved'))) reload();
        } }, when(s.start))) : h('span', { class: 'empty' }, t('no_slots')));
      actions.replaceWith(h('div', {}, h('div', { class: 'hours' }, t('choose_new_time')), list));
      const first = list.querySelector('button');
      if (first) first.focus();
    }
    return box;
  }

  function bookingForm(types, reload) {
    let practitioner = 0, from = today();
    const type = h('select', { id: 'book-type' }, types.filter((ty) => ty.active).map((ty) =>
      h('option', { value: ty.code }, (state.lang === 'fr' ? ty.label_fr : ty.label_en) + ' (' + ty.duration_min + ' min)')));
    const last = h('input', { id: 'book-last', autocomplete: 'off', maxlength: 63 });
    const first = h('input', { id: 'book-first', autocomplete: 'off', maxlength: 63 });
    const birth = h('input', { id: 'book-birth', type: 'date' });
    const phone = h('input', { id: 'book-phone', type: 'tel', maxlength: 30 });
    const reason = h('input', { id: 'book-reason', maxlength: 200 });
    const urgent = h('input', { id: 'book-urgent', type: 'checkbox' });
    const slots = h('div', { class: 'slots', 'aria-live': 'polite' });
    const search = async (event) => {
      event.preventDefault();
      if (!last.value.trim()) { say(t('patient_needed'), true); last.focus(); return; }
      const params = new URLSearchParams({ type: type.value, practitioner: String(practitioner), from, days: '21', max: '12' });
      if (urgent.checked) params.set('urgent', 'true');
      const data = await attempt(() => api('GET', '/slots?' + params));
      if (!data) return;
      slots.replaceChildren(...(data.slots.length ? data.slots.map((s) => h('button', { type: 'button', onclick: () => book(s) }, when(s.start)))
        : [h('span', { class: 'empty' }, t('no_slots'))]));
    };
    const book = async (slot) => {
      const body = {
        type: type.value, practitioner_id: slot.practitioner_id, start: slot.start, urgent: urgent.checked,
        reason: reason.value, idempotency_key: 'web-' + Date.now() + '-' + Math.random().toString(16).slice(2),
        patient: { last_name: last.value.trim(), first_name: first.value.trim(), birth_date: birth.value, phone: phone.value },
      };
      if (!body.patient.phone) delete body.patient.phone;
      if (!body.patient.birth_date) delete body.patient.birth_date;
      const done = await attempt(() => api('POST', '/appointments', body), t('booked', { when: when(slot.start) }));
      if (done) { slots.replaceChildren(); reload(); }
    };
    const node = h('section', { class: 'panel', 'aria-labelledby': 'book-title' },
      h('h2', { id: 'book-title' }, t('book_title')),
      h('form', { class: 'filters', onsubmit: search },
        field(t('appointment_type'), type), field(t('last_name'), last), field(t('first_name'), first),
        field(t('birth_date'), birth), field(t('phone'), phone), field(t('reason'), reason),
        h('label', { class: 'inline' }, urgent, t('urgent')),
        h('button', { type: 'submit' }, t('find_slots'))),
      h('p', { class: 'hint' }, t('book_hint')), slots);
    return { node, setPractitioner(id, day0) { practitioner = id; from = day0 < today() ? today() : day0; } };
  }

  /* ---- Statistics ---- */

  function barChart(title, labels, values, options) {
    const width = 1100, height = 230, left = 34, bottom = 28, top = 18;
    const max = Math.max(1, ...values);
    const band = (width - left) / Math.max(1, values.length);
    const bars = values.map((v, i) => {
      const barHeight = (height - bottom - top) * v / max;
      const x = left + i * band + band * 0.15;
      const y = height - bottom - barHeight;
      const title2 = document.createElementNS('http://www.w3.org/2000/svg', 'title');
      title2.textContent = labels[i] + ' : ' + v;
      const rect = svg('rect', { class: 'bar' + (options && options.highlight && options.highlight(i) ? ' outside' : ''),
        x, y, width: band * 0.7, height: Math.max(0, barHeight) });
      rect.append(title2);
      const every = Math.ceil(values.length / 16);
      return [rect,
        i % every === 0 ? svg('text', { x: x + band * 0.35, y: height - bottom + 14, 'text-anchor': 'middle' }, labels[i]) : null,
        v && values.length <= 24 ? svg('text', { class: 'value', x: x + band * 0.35, y: y - 3, 'text-anchor': 'middle' }, String(v)) : null];
    });
    const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': title },
      svg('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#8c959f' }),
      svg('text', { x: 2, y: top, }, String(max)), bars.flat());
    return h('figure', { class: 'panel chart' }, h('figcaption', {}, h('strong', {}, title)), chart);
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function countChart(title, counts, prefix) {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 12);
    if (!entries.length) return h('div', { class: 'panel' }, h('strong', {}, title), h('p', { class: 'empty' }, t('no_data')));
    return barChart(title, entries.map(([k]) => word(prefix, k)), entries.map(([, v]) => v));
  }

  async function renderStats() {
    const from = h('input', { type: 'date', id: 'stats-from', value: addDays(today(), -29) });
    const to = h('input', { type: 'date', id: 'stats-to', value: today() });
    const out = h('div', { 'aria-live': 'polite' });
    const load = async () => {
      const data = await attempt(() => api('GET', '/stats?from=' + from.value + '&to=' + to.value));
      if (!data) return;
      out.replaceChildren(
        h('div', { class: 'figures' },
          h('div', { class: 'figure' }, h('strong', {}, String(data.total)), t('stat_total')),
          h('div', { class: 'figure' }, h('strong', {}, duration(data.average_duration_s)), t('stat_duration')),
          h('div', { class: 'figure' }, h('strong', {}, Math.round(data.outside_hours_share * 100) + ' %'), t('stat_outside'))),
        barChart(t('chart_per_hour'), data.per_hour.map((_, i) => i + 'h'), data.per_hour),
        barChart(t('chart_per_day'), data.per_day.map((d) => d.date.slice(8, 10) + '/' + d.date.slice(5, 7)), data.per_day.map((d) => d.calls),
          { highlight: (i) => [0, 6].includes(new Date(data.per_day[i].date + 'T12:00:00Z').getUTCDay()) }),
        h('div', { class: 'grid-2' }, countChart(t('chart_outcomes'), data.outcomes, 'outcome_'),
          countChart(t('chart_reasons'), data.reasons, 'intent_')));
    };
    show(h('h1', {}, t('stats_title')),
      h('form', { class: 'filters panel', onsubmit: (e) => { e.preventDefault(); load(); } },
        field(t('from'), from), field(t('to'), to), h('button', { type: 'submit' }, t('show'))), out);
    load();
  }

  /* ---- Settings ---- */

  const settingKeys = ['greeting.fr', 'greeting.en', 'emergency.fr', 'emergency.en',
    'answer.hours.fr', 'answer.hours.en', 'answer.address.fr', 'answer.address.en',
    'answer.fees.fr', 'answer.fees.en', 'answer.payment.fr', 'answer.payment.en',
    'answer.documents.fr', 'answer.documents.en'];
  const practiceText = ['name', 'address', 'postcode', 'city', 'phone', 'timezone', 'holiday_regions'];
  const practiceNumbers = ['slot_step_min', 'min_notice_min', 'urgent_release_min', 'booking_horizon_days'];

  async function renderSettings() {
    const data = await attempt(() => api('GET', '/settings'));
    const people = await attempt(() => api('GET', '/practitioners'));
    const types = await attempt(() => api('GET', '/appointment-types'));
    if (!data || !people || !types) return;
    const inputs = {};
    for (const key of practiceText) inputs[key] = h('input', { id: 'practice-' + key, value: data.practice[key] });
    for (const key of practiceNumbers) inputs[key] = h('input', { id: 'practice-' + key, type: 'number', value: data.practice[key] });
    inputs.default_lang = h('select', { id: 'practice-default_lang' },
      ['fr', 'en'].map((l) => h('option', { value: l, selected: data.practice.default_lang === l }, t('lang_' + l))));
    const words = {};
    for (const key of settingKeys) words[key] = h('textarea', { id: 'setting-' + key.replace(/\./g, '-'), maxlength: 1000 }, data.settings[key]);
    for (const key of ['transfer.target', 'secretariat.hours', 'practice.phone_e164']) {
      words[key] = h('input', { id: 'setting-' + key.replace(/\./g, '-'), value: data.settings[key] });
    }
    words.recording = h('select', { id: 'setting-recording' },
      ['off', 'on'].map((v) => h('option', { value: v, selected: data.settings.recording === v }, t('recording_' + v))));

    const save = async (event) => {
      event.preventDefault();
      const practice = { default_lang: inputs.default_lang.value };
      for (const key of practiceText) practice[key] = inputs[key].value;
      for (const key of practiceNumbers) practice[key] = Number(inputs[key].value);
      const settings = {};
      for (const [key, input] of Object.entries(words)) settings[key] = input.value;
      await attempt(() => api('PUT', '/settings', { practice, settings }), t('saved'));
    };
    show(h('h1', {}, t('settings_title')),
      h('form', { class: 'panel', onsubmit: save },
        h('h2', {}, t('practice_details')),
        h('div', { class: 'row' }, [...practiceText, 'default_lang', ...practiceNumbers].map((k) => field(t('practice_' + k), inputs[k]))),
        h('h2', {}, t('assistant_words')),
        h('div', { class: 'row' }, Object.keys(words).map((k) => field(t('setting_' + k), words[k], { class: settingKeys.includes(k) ? 'wide' : '' }))),
        h('p', { class: 'hint' }, t('secretariat_hours_hint')),
        h('button', { type: 'submit' }, t('save'))),
      practitionersPanel(people.practitioners),
      typesPanel(types.types),
      openingsPanel(people.practitioners),
      absencesPanel(people.practitioners));
  }

  function practitionersPanel(list) {
    const first = h('input', { id: 'new-first', required: true });
    const last = h('input', { id: 'new-last', required: true });
    const specialty = h('input', { id: 'new-specialty', value: 'generaliste', required: true });
    return h('section', { class: 'panel' }, h('h2', {}, t('practitioners')),
      h('table', {}, h('tbody', {}, list.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.specialty),
        h('td', {}, h('label', { class: 'inline' }, h('input', { type: 'checkbox', checked: p.active, onchange: async (e) => {
          await attempt(() => api('PATCH', '/practitioners/' + p.id, { active: e.target.checked }), t('saved'));
        } }), t('active'))))))),
      h('form', { class: 'filters', onsubmit: async (e) => {
        e.preventDefault();
        if (await attempt(() => api('POST', '/practitioners', { first_name: first.value, last_name: last.value, specialty: specialty.value }), t('saved'))) renderSettings();
      } }, field(t('first_name'), first), field(t('last_name'), last), field(t('specialty'), specialty),
      h('button', { type: 'submit' }, t('add'))));
  }

  function typesPanel(list) {
    const code = h('input', { id: 'type-code', required: true, pattern: '[a-z0-9-]+' });
    const fr = h('input', { id: 'type-fr', required: true });
    const en = h('input', { id: 'type-en', required: true });
    const minutesInput = h('input', { id: 'type-minutes', type: 'number', min: 5, max: 240, value: 15 });
    return h('section', { class: 'panel' }, h('h2', {}, t('appointment_types')),
      h('table', {}, h('tbody', {}, list.map((ty) => h('tr', {},
        h('td', {}, state.lang === 'fr' ? ty.label_fr : ty.label_en), h('td', {}, ty.duration_min + ' min'),
        h('td', {}, ty.new_patient_allowed ? t('new_patients_ok') : t('known_patients_only')),
        h('td', {}, h('label', { class: 'inline' }, h('input', { type: 'checkbox', checked: ty.active, onchange: async (e) => {
          await attempt(() => api('PATCH', '/appointment-types/' + ty.id, { active: e.target.checked }), t('saved'));
        } }), t('active'))))))),
      h('form', { class: 'filters', onsubmit: async (e) => {
        e.preventDefault();
        if (await attempt(() => api('POST', '/appointment-types', { code: code.value, label_fr: fr.value, label_en: en.value, duration_min: Number(minutesInput.value) }), t('saved'))) renderSettings();
      } }, field(t('code'), code), field(t('label_fr'), fr), field(t('label_en'), en), field(t('duration_min'), minutesInput),
      h('button', { type: 'submit' }, t('add'))));
  }

  function openingsPanel(people) {
    const who = h('select', { id: 'hours-who', onchange: () => load() },
      h('option', { value: 0 }, t('the_practice')), people.map((p) => h('option', { value: p.id }, p.name)));
    const rows = h('tbody');
    const addRow = (w) => {
      const weekday = h('select', { 'aria-label': t('weekday') }, [1, 2, 3, 4, 5, 6, 7].map((d) => h('option', { value: d, selected: w.weekday === d }, t('weekday_' + d))));
      const start = h('input', { type: 'time', value: w.start, 'aria-label': t('start') });
      const end = h('input', { type: 'time', value: w.end, 'aria-label': t('end') });
      const row = h('tr', {}, h('td', {}, weekday), h('td', {}, start), h('td', {}, end),
        h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => row.remove() }, t('remove'))));
      row.read = () => ({ weekday: Number(weekday.value), start: start.value, end: end.value });
      rows.append(row);
    };
    const load = async () => {
      const data = await attempt(() => api('GET', '/openings?practitioner=' + who.value));
      if (!data) return;
      rows.replaceChildren();
      data.windows.forEach(addRow);
    };
    const save = async () => {
      const windows = [...rows.children].map((r) => r.read());
      await attempt(() => api('PUT', '/openings', { practitioner_id: Number(who.value), windows }), t('saved'));
    };
    load();
    return h('section', { class: 'panel' }, h('h2', {}, t('opening_hours')),
      h('div', { class: 'row' }, field(t('whose_hours'), who)),
      h('table', {}, h('thead', {}, h('tr', {}, [t('weekday'), t('start'), t('end'), ''].map((n) => h('th', { scope: 'col' }, n)))), rows),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'secondary', onclick: () => addRow({ weekday: 1, start: '09:00', end: '12:00' }) }, t('add_window')),
        h('button', { type: 'button', onclick: save }, t('save_hours'))));
  }

  function absencesPanel(people) {
    const list = h('tbody');
    const who = h('select', { id: 'absence-who' }, h('option', { value: 0 }, t('practice_closed')), people.map((p) => h('option', { value: p.id }, p.name)));
    const start = h('input', { id: 'absence-start', type: 'date', required: true });
    const end = h('input', { id: 'absence-end', type: 'date', required: true });
    const reason = h('input', { id: 'absence-reason', maxlength: 120 });
    const nameOf = (id) => (id ? (people.find((p) => p.id === id) || {}).name : t('the_practice'));
    const load = async () => {
      const data = await attempt(() => api('GET', '/absences'));
      if (!data) return;
      list.replaceChildren(...data.absences.map((a) => h('tr', {}, h('td', {}, nameOf(a.practitioner_id)),
        h('td', {}, when(a.start) + ' → ' + when(a.end)), h('td', {}, a.reason),
        h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: async () => {
          if (await attempt(() => api('DELETE', '/absences/' + a.id), t('saved'))) load();
        } }, t('remove'))))));
    };
    load();
    return h('section', { class: 'panel' }, h('h2', {}, t('absences')),
      h('table', {}, list),
      h('form', { class: 'filters', onsubmit: async (e) => {
        e.preventDefault();
        /* The end date is included: the absence ends at the next midnight. */
        const body = { practitioner_id: Number(who.value), start: start.value, end: addDays(end.value, 1), reason: reason.value };
        if (await attempt(() => api('POST', '/absences', body), t('saved'))) load();
      } }, field(t('who'), who), field(t('from'), start), field(t('to'), end), field(t('reason'), reason),
      h('button', { type: 'submit' }, t('add'))));
  }

  /* ---- Accounts and audit ---- */

  async function renderUsers() {
    const [data, people] = await Promise.all([attempt(() => api('GET', '/users')), attempt(() => api('GET', '/practitioners'))]);
    if (!data || !people) return;
    const name = h('input', { id: 'user-name', required: true, pattern: '[a-z0-9._-]{2,63}' });
    const display = h('input', { id: 'user-display' });
    const userRole = h('select', { id: 'user-role' }, ['secretary', 'practitioner', 'admin'].map((r) => h('option', { value: r }, t('role_' + r))));
    const practitioner = h('select', { id: 'user-practitioner' }, h('option', { value: 0 }, '—'), people.practitioners.map((p) => h('option', { value: p.id }, p.name)));
    const password = h('input', { id: 'user-password', type: 'password', autocomplete: 'new-password', minlength: 10, required: true });
    const rows = data.users.map((u) => h('tr', {},
      h('td', {}, u.username), h('td', {}, u.display_name), h('td', {}, t('role_' + u.role)),
      h('td', {}, u.disabled ? t('disabled') : t('enabled')),
      h('td', {}, u.id === state.session.user.id ? '' : h('button', { type: 'button', class: 'secondary', onclick: async () => {
        if (await attempt(() => api('PATCH', '/users/' + u.id, { disabled: !u.disabled }), t('saved'))) renderUsers();
      } }, u.disabled ? t('enable') : t('disable'))),
      h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: async () => {
        const next = prompt(t('new_password_for', { name: u.username }));
        if (next) await attempt(() => api('PATCH', '/users/' + u.id, { password: next }), t('saved'));
      } }, t('reset_password')))));
    show(h('h1', {}, t('users_title')),
      h('div', { class: 'panel table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, [t('username'), t('display_name'), t('role'), t('state'), '', ''].map((n) => h('th', { scope: 'col' }, n)))),
        h('tbody', {}, rows))),
      h('form', { class: 'panel filters', onsubmit: async (e) => {
        e.preventDefault();
        const body = { username: name.value, display_name: display.value, role: userRole.value, password: password.value, lang: state.lang };
        if (userRole.value === 'practitioner') body.practitioner_id = Number(practitioner.value);
        if (await attempt(() => api('POST', '/users', body), t('saved'))) renderUsers();
      } }, h('h2', { class: 'wide' }, t('add_user')), field(t('username'), name), field(t('display_name'), display), field(t('role'), userRole),
      field(t('practitioner'), practitioner), field(t('password'), password), h('button', { type: 'submit' }, t('add'))));
  }

  async function renderAudit() {
    const patient = h('input', { id: 'audit-patient', type: 'number', min: 1 });
    const user = h('input', { id: 'audit-user' });
    const out = h('div', { 'aria-live': 'polite' });
    const load = async () => {
      const params = new URLSearchParams({ limit: '200' });
      if (patient.value) params.set('patient_id', patient.value);
      if (user.value) params.set('username', user.value);
      const data = await attempt(() => api('GET', '/audit?' + params));
      if (!data) return;
      out.replaceChildren(data.entries.length ? h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, [t('when'), t('who'), t('action'), t('object'), t('patient'), t('address'), t('detail')].map((n) => h('th', { scope: 'col' }, n)))),
        h('tbody', {}, data.entries.map((a) => h('tr', {}, h('td', {}, when(a.at)), h('td', {}, a.username),
          h('td', {}, word('audit_', a.action)), h('td', {}, word('object_', a.object_type) + (a.object_id ? ' ' + a.object_id : '')),
          h('td', {}, a.patient_id || ''), h('td', {}, a.address), h('td', {}, a.detail))))))
        : h('p', { class: 'empty' }, t('no_data')));
    };
    show(h('h1', {}, t('audit_title')), h('p', { class: 'hint' }, t('audit_hint')),
      h('form', { class: 'filters panel', onsubmit: (e) => { e.preventDefault(); load(); } },
        field(t('patient_id'), patient), field(t('username'), user), h('button', { type: 'submit' }, t('filter'))), out);
    load();
  }

  /* ---- Start ---- */

  async function start() {
    let lang = 'fr';
    try { lang = localStorage.getItem('permanence.lang') || 'fr'; } catch (e) { /* private mode */ }
    await loadMessages(lang === 'en' ? 'en' : 'fr');
    document.getElementById('lang-switch').addEventListener('click', async () => {
      await loadMessages(state.lang === 'fr' ? 'en' : 'fr');
      if (state.session) { renderNav(); route(); } else renderLogin();
    });
    document.getElementById('logout').addEventListener('click', async () => {
      try { await api('DELETE', '/session'); } catch (e) { /* already gone */ }
      state.session = null;
      say(t('logged_out'));
      renderLogin();
    });
    window.addEventListener('hashchange', route);
    try {
      state.session = await api('GET', '/session');
      startApp();
    } catch (e) {
      renderLogin();
    }
  }

  document.addEventListener('DOMContentLoaded', start);
})();
