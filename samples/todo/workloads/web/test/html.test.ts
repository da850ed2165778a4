import { expect, test } from "bun:test";

import { escapeHtml, renderPage } from "../src/html.ts";

test("escapeHtml", () => {
  expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
});

test("renderPage lists todos, escapes user text and shows errors", () => {
  const page = renderPage({
    title: "My <list>",
    todos: [
      { id: "a1", title: "<script>alert(1)</script>", done: false, created_at: "" },
      { id: "b2", title: "done thing", done: true, created_at: "" },
    ],
    maxItems: 10,
    error: "the list is <full>",
  });
  expect(page).toContain("<title>My &lt;list&gt;</title>");
  expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  expect(page).not.toContain("<script>");
  expect(page).toContain('<span class="done">done thing</span>');
  expect(page).toContain('name="id" value="a1"><input type="hidden" name="done" value="true">');
  expect(page).toContain('name="id" value="b2"><input type="hidden" name="done" value="false">');
  expect(page).toContain('action="add"');
  expect(page).toContain("the list is &lt;full&gt;");
  expect(page).toContain("2 of 10 items");
});

test("renderPage with nothing to do", () => {
  const page = renderPage({ title: "T", todos: [] });
  expect(page).toContain("Nothing to do.");
  expect(page).not.toContain('class="error"');
});
