// Builds the front-end assets into app/static/dist (not committed):
//   - two stylesheets compiled from GOV.UK Frontend with the service's settings:
//     app.css (system font, for a service that is not on GOV.UK: the default) and
//     app-govuk-brand.css (GDS Transport, only for a service hosted on GOV.UK);
//   - GOV.UK Frontend's JavaScript, fonts and images, copied as published.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "app", "static", "dist");

mkdirSync(out, { recursive: true });
for (const name of ["app", "app-govuk-brand"]) {
  const result = sass.compile(join(root, "app", "assets", "scss", `${name}.scss`), {
    loadPaths: [join(root, "node_modules")],
    style: "compressed",
    quietDeps: true,
    silenceDeprecations: ["import"],
  });
  writeFileSync(join(out, `${name}.css`), result.css);
}
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets"), join(out, "assets"), { recursive: true });
console.log(`assets built in ${out}`);
