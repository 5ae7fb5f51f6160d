/** The pole star: a four-pointed star over a night-blue tile (same drawing as resources/icon.svg). */
export function PolarisMark() {
  return (
    <svg className="mark" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect width="64" height="64" rx="14" fill="#14213d" />
      <path d="M32 8 L36.5 27.5 L56 32 L36.5 36.5 L32 56 L27.5 36.5 L8 32 L27.5 27.5 Z" fill="#f8f4e3" />
      <circle cx="32" cy="32" r="3" fill="#fca311" />
    </svg>
  );
}
