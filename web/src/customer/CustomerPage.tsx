export function CustomerPage() {
  return <section className="panel" />;
}
