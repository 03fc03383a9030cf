/**
 * Which annotations the reading page shows: everything the reader may see, the public layer, one
 * of their groups, or their private notes. Plain links (`?layer=`), so it works without script
 * and a teacher can hand out a link to the class's layer.
 */
import { Link } from "@remix-run/react";

export function LayerSwitch({
  slug,
  current,
  groups,
}: {
  slug: string;
  current: string | null;
  groups: { id: number; name: string }[];
}) {
  const layers = [
    { param: null, label: "Everything you can see" },
    { param: "public", label: "Public" },
    ...groups.map((g) => ({ param: `group-${g.id}`, label: g.name })),
    { param: "me", label: "Only me" },
  ];
  return (
    <nav className="layer-switch" aria-label="Layers">
      <span className="layer-switch-label" aria-hidden="true">
        Showing:
      </span>
      <ul>
        {layers.map((layer) => (
          <li key={layer.param ?? "all"}>
            <Link
              to={layer.param ? `/articles/${slug}?layer=${layer.param}` : `/articles/${slug}`}
              preventScrollReset
              aria-current={layer.param === current ? "true" : undefined}
            >
              {layer.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
