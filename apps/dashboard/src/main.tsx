import "./styles.css";
import { render } from "preact";
import { App } from "./app.js";
import { bootSession } from "./session.js";
import { interceptLinks } from "./router.js";

interceptLinks();
const root = document.getElementById("app")!;
void bootSession().finally(() => {
  root.textContent = "";
  render(<App />, root);
});
