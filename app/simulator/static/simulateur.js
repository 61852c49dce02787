/* zonage — what the page adds with JavaScript: address suggestions (ARIA 1.2 combobox) and the
   map. Without it, the same forms work through the server. Plain ES2017, no build step. */
"use strict";

(function suggestions() {
  const input = document.getElementById("f-q");
  const list = document.getElementById("f-q-list");
  const status = document.getElementById("f-q-status");
  if (!input || !list) return;
  const form = input.form;
  let options = [];
  let active = -1;
  let timer = null;
  let last = "";

  function setHidden(name, value) {
    let field = form.querySelector(`input[type=hidden][name="${name}"]`);
    if (value === null) {
      if (field) field.remove();
      return;
    }
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      form.appendChild(field);
    }
    field.value = value;
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    options.forEach((item, i) => item.el.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].el.id);
      options[index].el.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    const match = options[index].match;
    input.value = match.label;
    setHidden("insee", match.insee);
    setHidden("lat", match.kind === "adresse" ? String(match.lat) : null);
    setHidden("lon", match.kind === "adresse" ? String(match.lon) : null);
    close();
    form.submit();
  }

  function render(matches) {
    list.textContent = "";
    options = matches.map((match, i) => {
      const el = document.createElement("li");
      el.id = `f-q-opt-${i}`;
      el.setAttribute("role", "option");
      el.setAttribute("aria-selected", "false");
      el.textContent = match.label + " ";
      const kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = match.kind === "adresse" ? `(adresse, ${match.commune})` : "(commune)";
      el.appendChild(kind);
      el.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(i);
      });
      list.appendChild(el);
      return { el, match };
    });
    const count = options.length;
    status.textContent = count ? `${count} suggestion${count > 1 ? "s" : ""} ; flèches haut et bas pour choisir` : "Aucune suggestion";
    if (count) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
    active = -1;
  }

  async function suggest() {
    const query = input.value.trim();
    if (query.length < 3 || query === last) return;
    last = query;
    try {
      const response = await fetch(`/api/v1/geocode/autocomplete?q=${encodeURIComponent(query)}`);
      if (!response.ok || input.value.trim() !== query) return;
      render((await response.json()).results);
    } catch (error) {
      close(); // the server-side search still answers the form
    }
  }

  input.addEventListener("input", () => {
    setHidden("insee", null); // typed text is searched anew, not the earlier choice
    setHidden("lat", null);
    setHidden("lon", null);
    clearTimeout(timer);
    if (input.value.trim().length < 3) {
      last = "";
      close();
      return;
    }
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) {
      if (event.key === "ArrowDown" && options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(0);
        event.preventDefault();
      }
      return;
    }
    if (event.key === "ArrowDown") highlight((active + 1) % options.length);
    else if (event.key === "ArrowUp") highlight(active <= 0 ? options.length - 1 : active - 1);
    else if (event.key === "Enter" && active >= 0) choose(active);
    else if (event.key === "Escape") close();
    else return;
    event.preventDefault();
  });
  input.addEventListener("blur", close);
})();

(function map() {
  const element = document.getElementById("map");
  if (!element || typeof L === "undefined") return;
  const { departement, insee, lat, lon, query } = element.dataset;
  const places = JSON.parse(element.dataset.places || "[]");
  const METROPOLE = [[41.3, -5.2], [51.1, 9.6]];
  const slug = (zone) => (zone || "nd").toLowerCase().replace(/ /g, "-");
  const palette = getComputedStyle(document.documentElement);
  const colour = (zone) => palette.getPropertyValue(`--${slug(zone)}`).trim();
  const labels = { ZIP: "ZIP", ZAC: "ZAC", ZAR: "ZAR", ZV: "zone de vigilance", vivier: "vivier", "hors zonage": "hors zonage" };
  // No tile server: the communes themselves are the map. The sources are said under it, not
  // in a caption that would cover communes; the zoom buttons speak French.
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false, zoomControl: false, preferCanvas: !departement });
  L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);

  function select(code) {
    const params = new URLSearchParams(query);
    params.set("insee", code);
    window.location.assign(`/?${params.toString()}`);
  }

  const url = departement ? `/api/v1/zones.geojson?departement=${encodeURIComponent(departement)}` : "/api/v1/zones.geojson";
  fetch(url)
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((data) => {
      let chosen = null;
      const layer = L.geoJSON(data, {
        style: (feature) => {
          const p = feature.properties;
          const selected = p.insee === insee;
          return {
            className: `commune zone-${slug(p.zone_class)}${selected ? " selected" : ""}`,
            color: selected ? "#000091" : "#555",
            fillColor: colour(p.zone_class),
            weight: selected ? 4 : 0.6,
            stroke: Boolean(departement) || selected, // national borders would hide the colours
            fillOpacity: 0.85,
          };
        },
        onEachFeature: (feature, item) => {
          const p = feature.properties;
          const name = p.name || p.insee;
          item.bindTooltip(`${name} : ${labels[p.zone_class] || "non disponible"}${p.status === "estimation" ? " (estimation)" : ""}${p.apl != null ? ` — APL ${String(p.apl).replace(".", ",")}` : ""}`, { sticky: true });
          item.on("click", () => select(p.insee));
          if (p.insee === insee) chosen = item;
        },
      });
      // The first view is set once the communes are known, so that nothing animates; the
      // layer goes on the map after it, since a map without a view defers adding layers.
      if (departement) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      else map.fitBounds(METROPOLE); // the overseas départements are a zoom away
      layer.addTo(map);
      // One tab stop per commune would bury the form under hundreds of stops: the search box
      // is the keyboard's way to choose a commune.
      layer.eachLayer((item) => item.getElement && item.getElement() && item.getElement().setAttribute("tabindex", "-1"));
      element.dataset.loaded = String(data.features.length);
      if (chosen) chosen.bringToFront();
      // the legend lists the classes this map shows
      const shown = new Set(data.features.map((f) => slug(f.properties.zone_class)));
      document.querySelectorAll(".legend li[data-zone]").forEach((li) => { li.hidden = !shown.has(li.dataset.zone); });
      // No tile server: the main towns (ranked by the layer) are named on the map itself, the
      // larger first; a name that would cover a larger town's is left out at this zoom.
      const towns = [];
      layer.eachLayer((item) => { if (item.feature.properties.town) towns.push(item); });
      towns.sort((a, b) => a.feature.properties.town - b.feature.properties.town);
      const names = towns.map((item) => L.tooltip({ permanent: true, direction: "center", className: "town-label", interactive: false })
        .setLatLng(item.getCenter())
        .setContent(item.feature.properties.name)
        .addTo(map));
      const declutter = () => {
        const kept = [];
        names.forEach((name) => {
          const node = name.getElement();
          node.hidden = false;
          const box = node.getBoundingClientRect();
          node.hidden = kept.some((k) => box.left < k.right && k.left < box.right && box.top < k.bottom && k.top < box.bottom);
          if (!node.hidden) kept.push(box);
        });
      };
      declutter();
      map.on("zoomend", declutter);
      // Où m'installer : the places found, coloured by class, their aid total in the tooltip;
      // the list under the search gives the same to the keyboard
      places.forEach((place) => {
        L.circleMarker([place.lat, place.lon], { radius: 6, color: "#000", weight: 1.5, fillColor: colour(place.zone), fillOpacity: 1, className: "place" })
          .bindTooltip(`${place.name} : ${labels[place.zone] || "classe non disponible"} — ${place.total} d'aides`)
          .on("click", () => select(place.insee))
          .addTo(map);
      });
      if (places.length) {
        document.querySelectorAll(".leaflet-interactive.place").forEach((node) => node.setAttribute("tabindex", "-1"));
      }
      if (lat && lon) {
        L.circleMarker([Number(lat), Number(lon)], { radius: 7, color: "#000091", weight: 3, fillColor: "#fff", fillOpacity: 1, className: "address" })
          .bindTooltip("Adresse choisie")
          .addTo(map);
      }
    })
    .catch((error) => {
      console.error("carte :", error);
      element.textContent = "Carte indisponible ; la recherche reste utilisable.";
    });
})();

(function focusAnswer() {
  // After a search or a form the page opens on its answer: the forms and links point at its
  // heading (focusable), which the browser focuses with the address's hash. A problem instead
  // takes the focus, so that the keyboard and screen readers start there, not at the top.
  const problem = document.querySelector(".error-summary, .candidates h3, #search-form ~ .notice");
  if (!window.location.hash || !problem) return;
  problem.setAttribute("tabindex", "-1");
  window.addEventListener("load", () => setTimeout(() => problem.focus(), 0)); // after the hash's
})();

(function share() {
  const copy = document.getElementById("copy-link");
  const print = document.getElementById("print-page");
  const status = document.getElementById("copy-status");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", () => window.print());
  }
  if (!copy || !navigator.clipboard) return;
  copy.hidden = false;
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(window.location.href.split("#")[0]);
      status.textContent = "Lien copié : il garde le lieu, le profil et la comparaison.";
    } catch (error) {
      status.textContent = "Copie impossible : copiez l'adresse de la page.";
    }
  });
})();

(function collapsible() {
  // On a phone the long sections open on demand, below the answer; printed, they are open.
  const sections = [...document.querySelectorAll("details.collapsible")];
  if (window.matchMedia("(max-width: 40rem)").matches) sections.forEach((d) => { d.open = false; });
  const opened = new Map();
  window.addEventListener("beforeprint", () => {
    sections.forEach((d) => { opened.set(d, d.open); d.open = true; });
  });
  window.addEventListener("afterprint", () => opened.forEach((open, d) => { d.open = open; }));
})();

(function situation() {
  /* the profile's fields follow the situation chosen: a hidden group sends nothing */
  const select = document.getElementById("f-situation");
  if (!select) return;
  select.addEventListener("change", () => {
    document.querySelectorAll("[data-situations]").forEach((group) => {
      const shown = group.dataset.situations.split(" ").includes(select.value);
      group.hidden = !shown;
      const sets = group.tagName === "FIELDSET" ? [group] : group.querySelectorAll("fieldset");
      sets.forEach((set) => { set.disabled = !shown; });
    });
  });
})();
