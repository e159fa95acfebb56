// The breaker's options: a preset, then any field edited on top. The form
// does not validate: the package does (the core's rules, one place), and its
// error, which names the option, is shown as it comes.
//
// One rule for every control: choosing a preset or editing a field only fills
// the form; "Apply options" builds the breaker. Applying throws the running
// breaker away (metrics from zero), so it is one deliberate act, and typing
// "10" never builds a breaker with 1 on the way. Until then the form says its
// options are not applied yet.

const PRESET_NAMES = ["llm", "streaming", "vectorDb"];

export class OptionsForm {
  #form;
  #preset;
  #inputs;
  #error;
  #code;
  #pending;
  #presets;
  #apply;
  #applied = null;

  /**
   * @param {Document} document
   * @param {Record<string, object>} presets  the package's `presets`
   * @param {(options: object) => void} apply  builds the breaker; throws on invalid options
   */
  constructor(document, presets, apply) {
    this.#form = document.getElementById("options-form");
    this.#preset = document.getElementById("preset");
    this.#inputs = [...this.#form.querySelectorAll("[data-option]")];
    this.#error = document.getElementById("options-error");
    this.#code = document.getElementById("options-code");
    this.#pending = document.getElementById("options-pending");
    this.#presets = presets;
    this.#apply = apply;

    this.#preset.addEventListener("change", () => {
      if (this.#preset.value === "custom") return;
      this.#fill(this.#presetValues(this.#preset.value));
    });
    this.#form.addEventListener("input", (event) => {
      if (event.target === this.#preset) return;
      this.#preset.value = this.#matchingPreset();
      this.#showCode();
      this.#showPending();
    });
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  /** Fills the form from a preset (or "defaults") without applying it. */
  choose(presetName) {
    this.#preset.value = presetName;
    this.#fill(this.#presetValues(presetName));
  }

  /** Builds a breaker from the form; shows the package's error if it refuses the options. */
  submit() {
    for (const input of this.#inputs) input.removeAttribute("aria-invalid");
    try {
      const options = this.read();
      this.#apply(options);
      this.#applied = JSON.stringify(options);
      this.#error.textContent = "";
      this.#showPending();
      return true;
    } catch (error) {
      this.#error.textContent = `${error?.name ?? "Error"}: ${error?.message ?? error}`;
      const culprit = this.#inputs.find((input) => String(error?.message).includes(input.dataset.option));
      culprit?.setAttribute("aria-invalid", "true");
      return false;
    }
  }

  /** The options as the form has them: empty fields are left out, so they take the defaults. */
  read() {
    const options = {};
    for (const input of this.#inputs) {
      if (input.value.trim() !== "") options[input.dataset.option] = Number(input.value);
    }
    return options;
  }

  #presetValues(presetName) {
    return PRESET_NAMES.includes(presetName) ? { ...this.#presets[presetName] } : {};
  }

  #fill(values) {
    for (const input of this.#inputs) input.value = values[input.dataset.option] ?? "";
    this.#showCode();
    this.#showPending();
  }

  /** Whether the form holds options the running breaker does not have, said beside the Apply button. */
  #showPending() {
    const pending = this.#applied !== null && JSON.stringify(this.read()) !== this.#applied;
    this.#form.dataset.pending = String(pending);
    this.#pending.textContent = pending ? "Not applied yet: the running breaker keeps its options until you apply these." : "";
  }

  #matchingPreset() {
    const current = JSON.stringify(this.read());
    const names = [...PRESET_NAMES, "defaults"];
    return names.find((name) => JSON.stringify(this.#ordered(this.#presetValues(name))) === current) ?? "custom";
  }

  /** `values` in the form's field order, so two option objects compare as JSON. */
  #ordered(values) {
    const ordered = {};
    for (const input of this.#inputs) {
      const name = input.dataset.option;
      if (name in values) ordered[name] = values[name];
    }
    return ordered;
  }

  /** The breaker as code: a preset spread, then what differs from it (or every option, when no preset fits). */
  #showCode() {
    const options = this.read();
    const base = [this.#preset.value, nearestPreset(options, this.#presets)].find(
      (name) => PRESET_NAMES.includes(name) && Object.keys(this.#presets[name]).every((key) => key in options),
    );
    const baseValues = base ? this.#presets[base] : {};
    const lines = base ? [`  ...presets.${base},`] : [];
    for (const [name, value] of Object.entries(options)) {
      if (baseValues[name] !== value) lines.push(`  ${name}: ${formatNumber(value)},`);
    }
    this.#code.textContent = `const breaker = new CircuitBreaker({\n${lines.join("\n")}${lines.length ? "\n" : ""}});`;
  }
}

/** The preset the options share the most values with, if any. */
function nearestPreset(options, presets) {
  let best = null;
  let bestShared = 1;
  for (const name of PRESET_NAMES) {
    const shared = Object.entries(presets[name]).filter(([key, value]) => options[key] === value).length;
    if (shared > bestShared) [best, bestShared] = [name, shared];
  }
  return best;
}

function formatNumber(value) {
  return Number.isInteger(value) && Math.abs(value) >= 10_000 ? value.toLocaleString("en-US").replaceAll(",", "_") : String(value);
}
