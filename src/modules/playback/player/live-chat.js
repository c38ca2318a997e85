// The player's live chat (docs/LIVE-CHAT.md): a short-lived ticket over HTTP, then the WebSocket;
// the ticket goes in the join frame, never in the URL. Resumes after the last message seen.
(function () {
  'use strict';
  var panel = document.getElementById('chat');
  var list = document.getElementById('chat-messages');
  var form = document.getElementById('chat-form');
  var input = document.getElementById('chat-input');
  var chat = { socket: null, lastId: 0, closedByUs: false };

  function render(message) {
    if (message.id <= chat.lastId) return;
    chat.lastId = message.id;
    var item = document.createElement('li');
    item.dataset.id = String(message.id);
    var author = document.createElement('strong');
    author.textContent = message.authorName + ': ';
    item.appendChild(author);
    // textContent only: a message is text, never markup.
    item.appendChild(document.createTextNode(message.body));
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  async function connect(eventId, authorization) {
    var response = await fetch('/api/live/' + encodeURIComponent(eventId) + '/chat-ticket', {
      method: 'POST',
      headers: { authorization: authorization, 'content-type': 'application/json' },
      body: '{}',
    });
    if (!response.ok) return;
    var ticket = (await response.json()).ticket;
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var socket = new WebSocket(scheme + location.host + '/api/live/' + encodeURIComponent(eventId) + '/chat');
    chat.socket = socket;
    socket.addEventListener('open', function () {
      var join = { type: 'join', ticket: ticket };
      if (chat.lastId > 0) join.after = chat.lastId;
      socket.send(JSON.stringify(join));
    });
    socket.addEventListener('message', function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === 'welcome') {
        panel.hidden = false;
        frame.messages.forEach(render);
      } else if (frame.type === 'message') render(frame.message);
      else if (frame.type === 'deleted') {
        var gone = list.querySelector('li[data-id="' + frame.id + '"]');
        if (gone) gone.remove();
      }
    });
    socket.addEventListener('close', function (event) {
      chat.socket = null;
      // The server going away (1001) or a dropped connection: reconnect and resume.
      if (!chat.closedByUs && event.code !== 4401 && event.code !== 4403)
        setTimeout(function () {
          connect(eventId, authorization).catch(function () {});
        }, 1000);
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body || !chat.socket) return;
    chat.socket.send(JSON.stringify({ type: 'send', body: body }));
    input.value = '';
  });

  window.marqueeChat = {
    open: function (eventId, authorization) {
      chat.closedByUs = false;
      return connect(eventId, authorization).catch(function () {});
    },
    close: function () {
      chat.closedByUs = true;
      if (chat.socket) chat.socket.close(1000);
    },
  };
})();
