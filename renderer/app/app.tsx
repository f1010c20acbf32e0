/** The wizard's root component. */
export function App() {
  return (
    <main>
      <h1>Virtio Access Wizard</h1>
    </main>
  );
}
