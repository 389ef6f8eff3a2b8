// The mark: two offset squares, a job and the next one.
export function Logo() {
  return (
    <svg aria-hidden="true" className="logo" viewBox="0 0 32 32">
      <rect x="3" y="3" width="18" height="18" rx="3" fill="#2563eb" />
      <rect x="11" y="11" width="18" height="18" rx="3" fill="none" stroke="#16a34a" strokeWidth="3" />
    </svg>
  );
}
