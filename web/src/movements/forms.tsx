import { CountForm } from './count-form';
import { movementKinds } from './kinds';
import { MovementForm } from './movement-form';

/** The seven movement screens of the menu, by path (the shell's route table uses them). */
export const movementScreens = {
  '/receive': () => <MovementForm key="receive" kind={movementKinds.receive} />,
  '/transfer': () => <MovementForm key="transfer" kind={movementKinds.transfer} />,
  '/reserve': () => <MovementForm key="reserve" kind={movementKinds.reserve} />,
  '/ship': () => <MovementForm key="ship" kind={movementKinds.ship} />,
  '/return': () => <MovementForm key="return" kind={movementKinds.return} />,
  '/adjust': () => <MovementForm key="adjust" kind={movementKinds.adjust} />,
  '/count': () => <CountForm />,
} as const;
