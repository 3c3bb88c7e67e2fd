export function ComplaintPage() {
  return <section className="panel" />;
}
