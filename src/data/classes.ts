/** CIFAR-10 class names in label order (as in batches.meta.txt of the official release). */
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** Default picked classes: a horse and a wing class. */
export const DEFAULT_CLASSES = ['horse', 'airplane'];

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
export const CIFAR10_ARCHIVE_NAME = 'cifar-10-binary.tar.gz';
export const CIFAR10_FOLDER_NAME = 'cifar-10-batches-bin';
export const CIFAR10_TRAIN_BATCHES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
export const CIFAR10_TEST_BATCHES = ['test_batch.bin'];
export const CIFAR10_META = 'batches.meta.txt';
