/**
 * Go's texts for the file-system errors notation prints (syscall.Errno.Error() in
 * an *os.PathError), so that `open x: no such file or directory` reads the same
 * from both tools. An errno without a Go text here keeps Node's message.
 */
const GO_ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ENOTEMPTY: 'directory not empty',
  EEXIST: 'file exists',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/** Go's text for the errno of a file-system error, else its own message. */
export function goErrnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined && GO_ERRNO_TEXT[code]) || (e as Error | undefined)?.message || String(e);
}

/** Go's *os.PathError text: `<op> <path>: <errno text>`. */
export function goPathError(op: string, path: string, e: unknown): string {
  return `${op} ${path}: ${goErrnoText(e)}`;
}
