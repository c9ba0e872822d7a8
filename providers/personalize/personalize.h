/*
 * personalize.h - the Amazon Personalize provider: registers one
 * descriptor per resource type (one file each) with core/provider.h.
 */
#ifndef PZ_PERSONALIZE_H
#define PZ_PERSONALIZE_H

/* Registers every Personalize resource type. Idempotent. */
void pz_personalize_register(void);

#endif
