/**
 * The RPO questions, read apart from the session questions (pure): "is apache02 protected", "which VMs are
 * outside RPO", "oldest replicas", "how old is the replica of apache02". Null when the text is not one of them.
 */
export type RpoQuestion =
  | { kind: 'protected'; vm: string }
  | { kind: 'age'; vm: string }
  | { kind: 'outside' }
  | { kind: 'oldest'; limit: number };

function unquote(name: string): string {
  return name
    .trim()
    .replace(/^["“'](.*)["”']$/, '$1')
    .trim();
}

export function parseRpoQuestion(text: string): RpoQuestion | null {
  const q = text
    .trim()
    .replace(/[?!.\s]+$/, '')
    .replace(/\s+/g, ' ');
  let m = /^(?:is|are) (?:the )?(?:vm )?(.+?) (?:protected|replicated|within (?:its |the )?rpo|safe)$/i.exec(
    q,
  );
  if (m?.[1]) return { kind: 'protected', vm: unquote(m[1]) };
  m =
    /^how old is (?:the )?(?:latest |newest |last )?(?:replica|copy|replica point|restore point) (?:of|for) (?:vm )?(.+)$/i.exec(
      q,
    );
  if (m?.[1]) return { kind: 'age', vm: unquote(m[1]) };
  m = /^(?:how old|what age) (?:is|are) (?:the )?(?:vm )?(.+?)(?:'s)? replicas?$/i.exec(q);
  if (m?.[1]) return { kind: 'age', vm: unquote(m[1]) };
  if (
    /^(?:which|what|list|show)(?: me)?(?: the)? (?:vms?|replicas?|machines?) (?:are )?(?:outside|out of|over|past|beyond) (?:the |their |its )?rpo$/i.test(
      q,
    )
  )
    return { kind: 'outside' };
  if (/^(?:vms? )?outside (?:the )?rpo$/i.test(q) || /^rpo(?: status)?$/i.test(q)) return { kind: 'outside' };
  m = /^(?:the )?(?:(\d{1,3}) )?oldest (?:replicas?|replica points|copies|vms)(?: (\d{1,3}))?$/i.exec(q);
  if (m) return { kind: 'oldest', limit: Math.min(50, Number(m[1] ?? m[2] ?? 10)) };
  return null;
}
