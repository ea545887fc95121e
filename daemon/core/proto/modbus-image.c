// SPDX-License-Identifier: GPL-2.0-only
/* The register images of one snapshot, kept between requests (see struct pm_mb_image). */
#include <string.h>

#include "core/proto/modbus-map.h"

void pm_mb_image_init(struct pm_mb_image *im)
{
	im->snap = NULL;
	im->holding_built = im->input_built = false;
}

/* Forgets the images when @snap is not the snapshot they were built from. */
static void rekey(struct pm_mb_image *im, const struct pm_snapshot *snap)
{
	if (snap && im->snap == snap && im->seq == snap->seq && im->events == snap->events &&
	    im->has_events == snap->has_events &&
	    !memcmp(&im->account, &snap->account, sizeof(snap->account)))
		return;
	im->snap = snap;
	im->holding_built = im->input_built = false;
	if (!snap)
		return; /* nothing to key on: built for this request alone */
	im->seq = snap->seq;
	im->events = snap->events;
	im->has_events = snap->has_events;
	memcpy(&im->account, &snap->account, sizeof(snap->account));
}

const uint16_t *pm_mb_image_holding(struct pm_mb_image *im, const struct pm_mb_map *map,
				    const struct pm_snapshot *snap)
{
	rekey(im, snap);
	if (!im->holding_built) {
		pm_mb_map_image(map, snap, im->holding);
		im->holding_built = snap != NULL;
	}
	return im->holding;
}

const uint16_t *pm_mb_image_input(struct pm_mb_image *im, const struct pm_mb_map *map,
				  const struct pm_snapshot *snap)
{
	rekey(im, snap);
	if (!im->input_built) {
		pm_mb_map_input_image(map, snap, im->input);
		im->input_built = snap != NULL;
	}
	return im->input;
}
