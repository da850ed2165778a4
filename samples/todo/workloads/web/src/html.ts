import type { Todo } from "./api-client.ts";

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

export type PageModel = { title: string; todos: Todo[]; maxItems?: number; error?: string };

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
ul { list-style: none; padding: 0; }
li { display: flex; gap: .5rem; align-items: center; padding: .25rem 0; }
li span { flex: 1; }
.done { text-decoration: line-through; color: #777; }
.error { background: #fee; border: 1px solid #c00; padding: .5rem; }
form.inline { display: inline; }
`;

function item(todo: Todo): string {
  const id = escapeHtml(todo.id);
  return `<li>
  <form class="inline" method="post" action="toggle"><input type="hidden" name="id" value="${id}"><input type="hidden" name="done" value="${todo.done ? "false" : "true"}"><button type="submit" title="${todo.done ? "Mark as not done" : "Mark as done"}">${todo.done ? "&#9745;" : "&#9744;"}</button></form>
  <span${todo.done ? ' class="done"' : ""}>${escapeHtml(todo.title)}</span>
  <form class="inline" method="post" action="delete"><input type="hidden" name="id" value="${id}"><button type="submit">Delete</button></form>
</li>`;
}

/** The whole page. Forms post to relative paths, so the page works under any exposed prefix. */
export function renderPage(model: PageModel): string {
  const title = escapeHtml(model.title);
  const count = model.maxItems === undefined ? `${model.todos.length}` : `${model.todos.length} of ${model.maxItems}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
${model.error ? `<p class="error" role="alert">${escapeHtml(model.error)}</p>` : ""}
<form method="post" action="add">
  <input name="title" maxlength="200" required placeholder="What needs doing?" aria-label="New todo">
  <button type="submit">Add</button>
</form>
${model.todos.length === 0 ? "<p>Nothing to do.</p>" : `<ul>\n${model.todos.map(item).join("\n")}\n</ul>`}
<p><small>${count} items</small></p>
</body>
</html>
`;
}
