/**
 * The RPO questions, read apart from the session questions (pure): "is apache02 protected", "which VMs are
 * outside RPO", "oldest replicas", "how old is the replica of apache02", and the same for backups ("is srv04
 * backed up", "backups outside RPO", "oldest backups", "how old is the backup of srv04"). Replicas unless the
 * question names backups. Null when the text is not one of them.
 */
export type RpoQuestion = (
  | { kind: 'protected'; vm: string }
  | { kind: 'age'; vm: string }
  | { kind: 'outside' }
  | { kind: 'oldest'; limit: number }
) & {
  /** absent: replicas */
  of?: 'backup';
};

function unquote(name: string): string {
  return name
    .trim()
    .replace(/^["“'](.*)["”']$/, '$1')
    .trim();
}

export function parseRpoQuestion(text: string): RpoQuestion | null {
  const question = readRpoQuestion(text);
  if (question === null) return null;
  return question.backup ? { ...question.q, of: 'backup' } : question.q;
}

function readRpoQuestion(text: string): { q: RpoQuestion; backup: boolean } | null {
  const q0 = text
    .trim()
    .replace(/[?!.\s]+$/, '')
    .replace(/\s+/g, ' ');
  // "... for backups" / "... of backups": the kind, then the question as for replicas
  const tail = /^(.+?) (?:for|of|in) (?:the )?backups$/i.exec(q0);
  const backupTail = tail?.[1] !== undefined;
  const q1 = tail?.[1] ?? q0;
  let m =
    /^(?:is|are) (?:the )?(?:vm )?(.+?) (?:backed[- ]up|(?:protected|safe|within (?:its |the )?rpo) by (?:a )?backups?)$/i.exec(
      q1,
    );
  if (m?.[1]) return { q: { kind: 'protected', vm: unquote(m[1]) }, backup: true };
  m =
    /^how old is (?:the )?(?:latest |newest |last )?(?:backup|restore point) (?:of|for) (?:vm )?(.+)$/i.exec(
      q1,
    );
  if (m?.[1]) return { q: { kind: 'age', vm: unquote(m[1]) }, backup: true };
  m = /^(?:how old|what age) (?:is|are) (?:the )?(?:vm )?(.+?)(?:'s)? (?:backups?|restore points?)$/i.exec(
    q1,
  );
  if (m?.[1]) return { q: { kind: 'age', vm: unquote(m[1]) }, backup: true };
  if (
    /^(?:which|what|list|show)(?: me)?(?: the)? (?:backups?|backed[- ]up vms?) (?:are )?(?:outside|out of|over|past|beyond) (?:the |their |its )?rpo$/i.test(
      q1,
    ) ||
    /^backups? (?:outside|out of|over|past) (?:the |their )?rpo$/i.test(q1) ||
    /^(?:backup rpo|rpo (?:of |for )?backups?)(?: status)?$/i.test(q1)
  )
    return { q: { kind: 'outside' }, backup: true };
  m = /^(?:the )?(?:(\d{1,3}) )?oldest (?:backups?|restore points)(?: (\d{1,3}))?$/i.exec(q1);
  if (m) return { q: { kind: 'oldest', limit: Math.min(50, Number(m[1] ?? m[2] ?? 10)) }, backup: true };
  const replica = readReplicaQuestion(q1);
  if (replica === null) return null;
  // "is srv04 protected for backups" / "which VMs are outside RPO for backups"
  return { q: replica, backup: backupTail };
}

/** The replica questions (the default kind). */
function readReplicaQuestion(text: string): RpoQuestion | null {
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
