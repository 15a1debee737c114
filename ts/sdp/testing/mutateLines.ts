// One random edit of an SDP held as lines, for the seeded mutation tests of both SDP layers:
// drop or duplicate a line, splice junk in, truncate, or swap a number or a word.
export function mutateLines(src: string[], rand: (n: number) => number, junk: readonly string[], maxNumber: number): void {
  const at = rand(src.length);
  const line = src[at] ?? '';
  switch (rand(6)) {
    case 0:
      src.splice(at, 1);
      break;
    case 1:
      src.splice(at, 0, src[rand(src.length)] ?? '');
      break;
    case 2: {
      const pos = rand(line.length + 1);
      src[at] = line.slice(0, pos) + (junk[rand(junk.length)] ?? '') + line.slice(pos + rand(4));
      break;
    }
    case 3:
      src[at] = line.slice(0, rand(line.length + 1));
      break;
    case 4:
      src[at] = line.replace(/\d+/, String(rand(2) === 0 ? rand(maxNumber) : 2 ** 40));
      break;
    default:
      src[at] = line.replace(/[A-Za-z]+/, junk[rand(junk.length)] ?? '');
  }
}
