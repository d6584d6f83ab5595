import { z } from 'zod'

/**
 * The labelled attributes of a procedural face. The three binary ones (smiling, masculine, glasses) are what
 * the paper's face arithmetic (Fig. 7) is about; pose is its "turn" vector (Fig. 8); hair, skin and background
 * are there for variety and can be used as concepts too. Every attribute is drawn independently of the others.
 */

export const BINARY_ATTRIBUTES = ['smiling', 'masculine', 'glasses'] as const
export type BinaryAttribute = (typeof BINARY_ATTRIBUTES)[number]

/** The direction the face turns, in image coordinates: `left` means it turns towards the image's left edge. */
export const POSES = ['left', 'frontal', 'right'] as const
export const Pose = z.enum(POSES)
export type Pose = z.infer<typeof Pose>

export const HAIR_COLOURS = ['black', 'brown', 'blonde', 'red', 'gray'] as const
export const HairColour = z.enum(HAIR_COLOURS)
export type HairColour = z.infer<typeof HairColour>

export const SKIN_TONES = ['light', 'medium', 'olive', 'brown', 'dark'] as const
export const SkinTone = z.enum(SKIN_TONES)
export type SkinTone = z.infer<typeof SkinTone>

export const BACKGROUNDS = ['gray', 'blue', 'green', 'warm', 'purple'] as const
export const Background = z.enum(BACKGROUNDS)
export type Background = z.infer<typeof Background>

export const FaceLabels = z.object({
  smiling: z.boolean(),
  masculine: z.boolean(),
  glasses: z.boolean(),
  hair: HairColour,
  skin: SkinTone,
  pose: Pose,
  background: Background
})
export type FaceLabels = z.infer<typeof FaceLabels>
